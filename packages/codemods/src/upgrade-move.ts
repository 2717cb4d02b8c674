import type { Move } from "./moves.js";
import { type FileInputs, type FileReport, settle, settleMode } from "./upgrade-file.js";

/**
 * Stages one template move: the project's file leaves `from` and its edit reaches `to` through
 * the same reconciliation as a file that stayed put (3-way merge against the base at `from`,
 * the ownership rules of `to`), so an edit is carried or surfaced as a conflict at the new
 * path, never left in an orphan at the old one. A project that already moved the file itself
 * is merged where it put it.
 */
export async function moveFile(move: Move, inputs: FileInputs, report: FileReport): Promise<void> {
  const { manifest, next, base, tree, unedited } = inputs;
  const old = manifest.files[move.from];
  const planned = next.get(move.to);
  if (old === undefined || planned === undefined) throw new Error(`not a move: ${move.from}`);
  const how =
    move.kind === "declared"
      ? "moved by the template"
      : `moved by the template (detected: ${move.similarity} % similar)`;
  const moved = (reason: string) => report.moves.push({ ...move, reason: `${how}: ${reason}` });
  const atOld = await tree.readBytes(move.from);
  const current = atOld ?? (await tree.readBytes(move.to));
  // The project's executable bit goes with its file when it had changed it (see settleMode).
  const userMode = await tree.mode(atOld !== null ? move.from : move.to);
  if (current === null) {
    moved("deleted here: left deleted");
    report.deletions.push({
      path: move.from,
      kind: "user-deleted-changed",
      reason: `deleted here, but moved by the template to ${move.to}: left deleted (\`git show refs/ds-service/base:${move.to}\` has the template's version)`,
    });
    return;
  }
  if (atOld !== null) await tree.delete(move.from);
  if (atOld !== null && unedited.has(move.from)) {
    moved("unedited here: moved");
    await tree.write(move.to, planned.content);
    return settleMode(tree, move.to, planned, old, userMode);
  }
  const conflicts = report.conflicts.length;
  await settle(
    move.to,
    {
      current,
      theirs: planned.content,
      pristine: base?.get(move.from),
      recordedSha: old.sha256,
      ownership: planned.ownership,
      baseKept: base !== null,
    },
    tree,
    report,
  );
  await settleMode(tree, move.to, planned, old, userMode);
  moved(
    report.conflicts.length > conflicts
      ? `your edit went with it, see the conflict at ${move.to}`
      : "your edit went with it",
  );
}
