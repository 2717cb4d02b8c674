import { isUtf8 } from "node:buffer";
import path from "node:path";
import binaryExtensions from "binary-extensions";

/** Formats a data-science project keeps that binary-extensions does not list. */
const modelExtensions = ["joblib", "npy", "npz", "onnx", "parquet", "pickle", "pkl", "pt"];
const knownBinary = new Set([...binaryExtensions, ...modelExtensions]);

/**
 * Whether bytes can go through text handling (a line merge, conflict markers) and come back the
 * same: valid UTF-8 in full and no NUL. Exact over the whole buffer, not a guess from its first
 * bytes, because decoding one invalid sequence anywhere replaces it with U+FFFD for good.
 */
export function isText(bytes: Uint8Array): boolean {
  return !bytes.includes(0) && isUtf8(bytes);
}

/**
 * A file the upgrade must treat as opaque bytes: a known binary extension, or any version of it
 * that is not text. Such a file is replaced or kept whole, never merged, decoded or re-encoded.
 */
export function isBinary(rel: string, ...versions: (Uint8Array | null | undefined)[]): boolean {
  const ext = path.extname(rel).slice(1).toLowerCase();
  return knownBinary.has(ext) || versions.some((v) => v != null && !isText(v));
}
