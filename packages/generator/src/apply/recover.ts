import { readJournal, rootOf, txnDirOf } from "./journal.js";
import { cleanUp, rollback, type StepHook, type UndoHandler, undoMissing } from "./steps.js";

export interface RecoverOptions {
  /** Restorers of the extra state a `finish` step changed, by the journal's undo kind. */
  readonly undo?: Readonly<Record<string, UndoHandler>>;
  readonly onStep?: StepHook;
}

/**
 * Brings the repository whose state directory is `stateDir` back to a consistent state after a
 * kill, whatever step it stopped at: a pending journal is rolled back (every file restored byte
 * for byte, with its mode, then the extra state); a transaction killed before its journal was
 * complete, or after it was committed, only has its leftovers deleted. Returns the number of
 * files restored; 0 when there was nothing to roll back. Running it twice is a no-op. The
 * caller holds the repository's lock.
 */
export async function recover(stateDir: string, options: RecoverOptions = {}): Promise<number> {
  const txnDir = txnDirOf(stateDir);
  const onStep = options.onStep ?? (() => undefined);
  const journal = await readJournal(txnDir);
  if (journal === null) {
    await cleanUp(txnDir, onStep);
    return 0;
  }
  // Checked before anything is touched: a half-restored upgrade would be worse than none.
  const undo = journal.undo ? options.undo?.[journal.undo.kind] : undefined;
  if (journal.undo && !undo) throw undoMissing(rootOf(txnDir, journal), journal.undo.kind);
  await rollback(txnDir, journal, undo, onStep);
  return journal.entries.length;
}
