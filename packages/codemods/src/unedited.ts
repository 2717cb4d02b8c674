import { type Manifest, sha256 } from "@ds-service/generator";
import type { StagedTree } from "./tree.js";

/** Files whose bytes on disk are the bytes the manifest recorded. */
export async function uneditedFiles(tree: StagedTree, manifest: Manifest): Promise<Set<string>> {
  const unedited = new Set<string>();
  for (const [rel, entry] of Object.entries(manifest.files)) {
    const content = await tree.readBytes(rel);
    if (content !== null && sha256(content) === entry.sha256) unedited.add(rel);
  }
  return unedited;
}
