import fs from "node:fs/promises";
import path from "node:path";

/** One file the transaction touches, and how to put it back. */
export interface JournalEntry {
  readonly path: string;
  /** The backup's file name in the transaction directory; null: the file did not exist. */
  readonly backup: string | null;
  /** Its permission bits before (executable bits included); null when it did not exist. */
  readonly mode: number | null;
}

/** Extra state a `finish` step changes outside the files (upgrade: git refs), restored by kind. */
export interface JournalUndo {
  readonly kind: string;
  readonly data: unknown;
}

export interface Journal {
  readonly version: 1;
  /** The project root, relative to the transaction directory: the repository may be moved. */
  readonly root: string;
  readonly entries: readonly JournalEntry[];
  readonly undo: JournalUndo | null;
}

/**
 * The transaction directory's layout. `journal.json` exists exactly while a transaction may
 * have written to the project: from the moment every backup is complete until the transaction
 * is committed or rolled back. Committing renames it to `journal.done` (one atomic step); only
 * then are the backups deleted, so a kill during the cleanup leaves a directory that is safe to
 * delete, never a journal naming backups that are gone.
 */
export const txnName = "txn";
const journalFile = "journal.json";
const retiredFile = "journal.done";

export const txnDirOf = (stateDir: string) => path.join(stateDir, txnName);

/** Writes the journal atomically: a reader sees no journal or a whole one, never a partial one. */
export async function writeJournal(txnDir: string, journal: Journal): Promise<void> {
  const temp = path.join(txnDir, `${journalFile}.tmp`);
  await fs.writeFile(temp, JSON.stringify(journal));
  await fs.rename(temp, path.join(txnDir, journalFile));
}

/** The pending journal, or null when none is (no transaction, or one already committed). */
export async function readJournal(txnDir: string): Promise<Journal | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(txnDir, journalFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const journal = JSON.parse(text) as Journal;
  if (journal.version !== 1 || !Array.isArray(journal.entries)) {
    throw new Error(`unknown journal format in ${txnDir}`);
  }
  return journal;
}

/** The commit point of a transaction (or of its rollback): after it, nothing is to be undone. */
export async function retireJournal(txnDir: string): Promise<void> {
  await fs.rename(path.join(txnDir, journalFile), path.join(txnDir, retiredFile));
}

export const rootOf = (txnDir: string, journal: Journal) => path.resolve(txnDir, journal.root);
