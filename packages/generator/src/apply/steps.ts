import fs from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "../errors.js";
import { assertInside } from "../paths.js";
import { type Journal, retireJournal, rootOf } from "./journal.js";

/**
 * Called after every step that changes the disk, with its name ("backup <path>", "journal",
 * "write <path>", "finish", "commit", "cleanup", "restore <path>", "undo"). Tests make it
 * fail or never return, to stop a transaction exactly there as a crash or a kill would.
 */
export type StepHook = (step: string) => unknown;

/**
 * Restores the state `finish` changed outside the files (by the journal's `undo.kind`), given
 * the data saved in the journal and the project root.
 */
export type UndoHandler = (data: unknown, root: string) => Promise<void>;

/**
 * Puts every journaled file back byte for byte, with its mode, then the extra state, then
 * retires the journal and cleans up. Idempotent up to the retire: a kill anywhere in here
 * leaves the journal, and running this again gives the same result.
 */
export async function rollback(
  txnDir: string,
  journal: Journal,
  undo: UndoHandler | undefined,
  onStep: StepHook,
): Promise<void> {
  const root = rootOf(txnDir, journal);
  for (const entry of [...journal.entries].reverse()) {
    const abs = assertInside(root, entry.path);
    // Removed first: copying onto a file the user made read-only would fail.
    await fs.rm(abs, { force: true });
    if (entry.backup === null) await removeEmptyParents(root, path.dirname(abs));
    else {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.copyFile(path.join(txnDir, entry.backup), abs);
      if (entry.mode !== null) await fs.chmod(abs, entry.mode);
    }
    await onStep(`restore ${entry.path}`);
  }
  if (journal.undo) {
    if (!undo) throw undoMissing(root, journal.undo.kind);
    await undo(journal.undo.data, root);
    await onStep("undo");
  }
  await retireJournal(txnDir);
  await onStep("commit");
  await cleanUp(txnDir, onStep);
}

/** A journal whose extra state only a higher layer knows how to restore (upgrade's git refs). */
export function undoMissing(root: string, kind: string): ValidationError {
  return new ValidationError(
    `an interrupted ds-service upgrade (${kind}) is pending in ${root}: run \`ds-service check\` there to restore it first — nothing was written`,
  );
}

/**
 * Deletes a transaction directory that holds no pending journal. Only ever called once the
 * journal is retired (or was never written), so a kill half-way through leaves a directory
 * the next `recover` finishes deleting, whatever is left in it.
 */
export async function cleanUp(txnDir: string, onStep: StepHook): Promise<void> {
  await fs.rm(txnDir, { recursive: true, force: true });
  await onStep("cleanup");
}

/** Directories a transaction created for new files go again, so the tree is as it was. */
async function removeEmptyParents(root: string, dir: string): Promise<void> {
  let current = dir;
  while (current.startsWith(root) && current !== root) {
    try {
      await fs.rmdir(current);
    } catch {
      return; // not empty (or gone): stop
    }
    current = path.dirname(current);
  }
}
