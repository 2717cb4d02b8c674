import { isBinary } from "@ds-service/generator";
import type { FileInputs } from "./upgrade-file.js";

/**
 * A structural edit of one file, made on the project's version and on the template base alike
 * before the 3-way merge (see `UpgradeInputs.structural`): `ours` as it should be given the new
 * render `theirs` and the template base `pristine` (what the template had rendered), or null
 * when the edit does not apply to it.
 */
export type StructuralEdit = (
  rel: string,
  ours: string,
  theirs: string,
  pristine: string,
) => string | null;

/** The upgrade's inputs a structural edit needs; the base is the one the merge will use. */
export type StructuralInputs = Pick<FileInputs, "next" | "base" | "tree" | "unedited">;

/**
 * Makes `edit` on every edited text file the new render still has, on the project's version
 * (staged on the tree) and on the base alike, and returns the base so edited. The 3-way merge
 * then sees the change on both sides: with the render writing it as the edit does, only the
 * project's own edits remain to merge, however close to the change they are. A file the edit
 * cannot make on both versions is left to the merge as it was.
 */
export async function applyStructural(
  edit: StructuralEdit,
  { next, base, tree, unedited }: StructuralInputs,
): Promise<ReadonlyMap<string, Buffer> | null> {
  if (base === null) return null;
  const rebased = new Map(base);
  for (const [rel, planned] of next) {
    if (unedited.has(rel)) continue; // it becomes the render's bytes: nothing to merge
    const pristine = base.get(rel);
    const current = await tree.readBytes(rel);
    if (pristine === undefined || current === null) continue;
    if (isBinary(rel, current, planned.content, pristine)) continue;
    const theirs = planned.content.toString("utf8");
    const rendered = pristine.toString("utf8");
    const ours = edit(rel, current.toString("utf8"), theirs, rendered);
    const was = edit(rel, rendered, theirs, rendered);
    if (ours === null || was === null) continue;
    if (ours !== current.toString("utf8")) await tree.write(rel, Buffer.from(ours, "utf8"));
    rebased.set(rel, Buffer.from(was, "utf8"));
  }
  return rebased;
}
