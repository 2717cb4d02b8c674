import {
  isBinary,
  isExecutable,
  type Manifest,
  type ManifestFile,
  type Ownership,
  type Plan,
  type PlannedFile,
  sha256,
} from "@ds-service/generator";
import { threeWayMerge, toLf, twoWayConflict } from "./merge.js";
import type { MovedFile } from "./moves.js";
import type { StagedTree } from "./tree.js";

/** A file the upgrade could not settle alone: a person resolves it before committing. */
export interface Conflict {
  readonly path: string;
  readonly reason: string;
  /** A binary file changed on both sides: the template's version, written next to the project's. */
  readonly theirs?: string;
}

/**
 * A file one side deleted:
 * - `template-deleted`: dropped by the template and unedited here, so the upgrade deletes it;
 * - `template-deleted-edited`: dropped by the template but edited here, so it is kept;
 * - `user-deleted-changed`: deleted here but changed by the template, so it stays deleted.
 */
export interface Deletion {
  readonly path: string;
  readonly kind: "template-deleted" | "template-deleted-edited" | "user-deleted-changed";
  readonly reason: string;
}

/** Where every file's upgrade reports what a person should know. */
export interface FileReport {
  readonly conflicts: Conflict[];
  readonly deletions: Deletion[];
  /** Every file the template moved, and where the project's edit went. */
  readonly moves: MovedFile[];
}

/** Appended to a binary file's path for the template's version when both sides changed it. */
export const theirsSuffix = ".ds-service-theirs";

export interface FileInputs {
  readonly manifest: Manifest;
  readonly next: Plan;
  /** The pristine render of the project's version (as the codemods leave it), when kept. */
  readonly base: ReadonlyMap<string, Buffer> | null;
  readonly tree: StagedTree;
  /** Files whose bytes were, before any codemod ran, the ones the manifest recorded. */
  readonly unedited: ReadonlySet<string>;
}

/**
 * Stages one file's upgrade and reports its conflict or deletion. Files are bytes throughout:
 * an unedited file becomes the template's bytes exactly, and a binary one (see `isBinary`) is
 * never merged — changed on both sides, the project's stays and the template's goes beside it.
 * The executable bit is settled apart from the bytes (`settleMode`).
 */
export async function upgradeFile(
  rel: string,
  inputs: FileInputs,
  report: FileReport,
): Promise<void> {
  const userMode = await inputs.tree.mode(rel);
  await upgradeBytes(rel, inputs, report);
  const planned = inputs.next.get(rel);
  if (planned !== undefined)
    await settleMode(inputs.tree, rel, planned, inputs.manifest.files[rel], userMode);
}

/**
 * Stages the executable bit of the file the upgrade leaves at `rel`, merged as one bit: the
 * project's chmod (its bit differs from the one the manifest recorded) wins, else the new
 * render's bit applies; other permission bits stay the project's. A file the project did not
 * have (`userMode` null) gets the template's mode, as `new` writes it; one the project made
 * itself where the template now adds a file keeps its own.
 */
export async function settleMode(
  tree: StagedTree,
  rel: string,
  planned: PlannedFile,
  recorded: ManifestFile | undefined,
  userMode: number | null,
): Promise<void> {
  if (!(await tree.exists(rel))) return;
  if (userMode === null) {
    if (planned.mode !== undefined) await tree.chmod(rel, planned.mode);
    return;
  }
  const ours = isExecutable(userMode);
  // No recorded bit (the project made the file before the template added it): the file is theirs.
  const base = recorded === undefined ? !ours : recorded.executable === true;
  const want = ours === base ? isExecutable(planned.mode) : ours;
  // As git checks out an executable file: x wherever r is, under the project's other bits.
  await tree.chmod(rel, want ? userMode | ((userMode & 0o444) >> 2) : userMode & ~0o111);
}

async function upgradeBytes(rel: string, inputs: FileInputs, report: FileReport): Promise<void> {
  const { manifest, next, base, tree, unedited } = inputs;
  const old = manifest.files[rel];
  const planned = next.get(rel);
  const current = await tree.readBytes(rel);
  const conflict = (reason: string) => report.conflicts.push({ path: rel, reason });

  if (planned === undefined) {
    if (old === undefined || current === null) return; // gone on both sides
    if (unedited.has(rel)) {
      await tree.delete(rel);
      report.deletions.push({
        path: rel,
        kind: "template-deleted",
        reason: "removed by the template and unedited here: deleted",
      });
      return;
    }
    report.deletions.push({
      path: rel,
      kind: "template-deleted-edited",
      reason: "removed by the template, but edited here: kept",
    });
    // A file of the project's own (once) is theirs to keep; any other needs a decision.
    if (old.ownership !== "once") conflict("removed by the template, but edited here (kept)");
    return;
  }
  const theirs = planned.content;
  if (old === undefined) {
    // New in this template version.
    if (current === null || current.equals(theirs)) return tree.write(rel, theirs);
    if (planned.ownership === "once") return; // the user already has their own
    const versions = { current, theirs, binary: isBinary(rel, current, theirs) };
    const reason = "added by the template, but a different file already exists";
    return keepBoth(tree, rel, versions, report, reason);
  }
  if (sha256(theirs) === old.sha256) return; // nothing new from the template
  if (current === null) {
    report.deletions.push({
      path: rel,
      kind: "user-deleted-changed",
      reason: `deleted here, but changed by the template: left deleted (\`git show refs/ds-service/base:${rel}\` has the template's version)`,
    });
    return;
  }
  if (unedited.has(rel)) return tree.write(rel, theirs);
  const sides = { current, theirs, pristine: base?.get(rel), recordedSha: old.sha256 };
  return settle(
    rel,
    { ...sides, ownership: planned.ownership, baseKept: base !== null },
    tree,
    report,
  );
}

/** The versions of one edited file that `settle` reconciles. */
export interface Sides {
  /** The project's bytes (at this path, or at the path the template moved the file from). */
  readonly current: Buffer;
  /** The new render's bytes. */
  readonly theirs: Buffer;
  /** The pristine render's bytes at the old path, when a base is kept. */
  readonly pristine: Buffer | undefined;
  /** The hash the manifest recorded for the old path. */
  readonly recordedSha: string;
  /** The ownership class at the new path: a move keeps the rules of where the file goes. */
  readonly ownership: Ownership;
  /** Whether the project's template base was found at all (for the reason given). */
  readonly baseKept: boolean;
}

/**
 * Writes at `rel` an edited file reconciled with the template's new version: kept as the
 * project has it when nothing needs merging (the same bytes, a file of the project's own, or a
 * template that only moved it), else 3-way merged as text; binary, or without a base, both
 * versions are kept side by side (a conflict) rather than guessed at.
 */
export async function settle(
  rel: string,
  sides: Sides,
  tree: StagedTree,
  report: FileReport,
): Promise<void> {
  const { current, theirs, pristine, ownership } = sides;
  if (current.equals(theirs) || ownership === "once" || pristine?.equals(theirs)) {
    return tree.write(rel, current);
  }
  if (isBinary(rel, current, theirs, pristine)) {
    await tree.write(rel, current); // at a moved file's new path, nothing is there yet
    const versions = { current, theirs, binary: true };
    return keepBoth(tree, rel, versions, report, "a binary file changed here and by the template");
  }
  const ours = current.toString("utf8");
  // Text checked out with CRLF and otherwise unedited is its own base when no base was kept.
  const recorded = pristine?.toString("utf8") ?? crlfCheckoutOf(ours, sides.recordedSha);
  if (recorded === undefined) {
    // Never a whole-file two-way conflict: the project's file stays as it is, untouched.
    await tree.write(rel, current);
    const reason = sides.baseKept
      ? "edited here and changed by the template, and the template base lacks this file"
      : "edited here and changed by the template, and the template base (refs/ds-service/*) is missing";
    return keepBoth(tree, rel, { current, theirs, binary: true }, report, reason);
  }
  const merged = threeWayMerge(ours, recorded, theirs.toString("utf8"));
  await tree.write(rel, merged.content);
  const conflict = (reason: string) => report.conflicts.push({ path: rel, reason });
  if (merged.conflict) conflict("edited here and changed by the template in the same place");
  else if (ownership === "managed" && toLf(ours) !== toLf(recorded))
    conflict("a managed file edited here; the template's change was merged in — review it");
}

/** `text` turned to LF, when that is exactly what the manifest recorded. */
function crlfCheckoutOf(text: string, recordedSha: string): string | undefined {
  const lf = toLf(text);
  return lf !== text && sha256(Buffer.from(lf, "utf8")) === recordedSha ? lf : undefined;
}

/**
 * Both versions stay recoverable: text as one file with both whole versions between conflict
 * markers (in the project's line endings), bytes (or `binary`: any file kept untouched) as two
 * files, the project's at its path and the template's beside it.
 */
async function keepBoth(
  tree: StagedTree,
  rel: string,
  versions: { current: Buffer; theirs: Buffer; binary: boolean },
  report: FileReport,
  reason: string,
): Promise<void> {
  const { current, theirs, binary } = versions;
  if (!binary) {
    await tree.write(rel, twoWayConflict(current.toString("utf8"), theirs.toString("utf8")));
    report.conflicts.push({ path: rel, reason });
    return;
  }
  const beside = `${rel}${theirsSuffix}`;
  await tree.write(beside, theirs);
  report.conflicts.push({
    path: rel,
    reason: `${reason}: yours is kept, the template's is ${beside}`,
    theirs: beside,
  });
}
