import { createHash } from "node:crypto";
import type { Answers } from "./answers.js";
import type { Ownership, Plan } from "./plan.js";

export const manifestPath = ".ds-service/manifest.json";

export interface ManifestFile {
  readonly ownership: Ownership;
  /** sha256 of the bytes as rendered, so `check` and `upgrade` can tell a local edit. */
  readonly sha256: string;
}

export interface Manifest {
  readonly schemaVersion: 1;
  readonly generator: { readonly name: string; readonly version: string };
  readonly packages: Readonly<Record<string, string>>;
  readonly answers: Answers;
  readonly files: Readonly<Record<string, ManifestFile>>;
}

export function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export function buildManifest(
  plan: Plan,
  answers: Answers,
  versions: { generator: { name: string; version: string }; packages: Record<string, string> },
): Manifest {
  const files: Record<string, ManifestFile> = {};
  for (const file of [...plan.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    files[file.path] = { ownership: file.ownership, sha256: sha256(file.content) };
  }
  return {
    schemaVersion: 1,
    generator: versions.generator,
    packages: versions.packages,
    answers,
    files,
  };
}

/** Serialized with a trailing newline so the file is stable under editors and formatters. */
export function serializeManifest(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
}
