import fs from "node:fs/promises";
import path from "node:path";
import { assertInside } from "@ds-service/generator";

/** A change to apply: the new bytes (text is written as UTF-8), or null to delete. */
export interface FileChange {
  readonly path: string;
  readonly after: Uint8Array | string | null;
}

interface JournalEntry {
  readonly path: string;
  /** Index of the backup copy, or null when the file did not exist before. */
  readonly backup: number | null;
}

const journalName = "journal.json";

/**
 * Applies `changes` as one transaction. Before the first write, every file about to change is
 * copied into `txnDir` with a journal; any failure restores them byte for byte. A process killed
 * mid-way leaves the journal behind, and `recover` (run before every upgrade and check) restores
 * the tree from it. `finish` runs inside the transaction: if it throws, the files roll back too.
 */
export async function applyTransaction(
  root: string,
  txnDir: string,
  changes: readonly FileChange[],
  finish: () => Promise<void> = async () => {},
): Promise<void> {
  await fs.mkdir(txnDir, { recursive: true });
  const journal: JournalEntry[] = [];
  for (const [i, change] of changes.entries()) {
    const abs = assertInside(root, change.path);
    const existed = await fs.copyFile(abs, path.join(txnDir, String(i))).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    journal.push({ path: change.path, backup: existed ? i : null });
  }
  // The journal is written last: its presence means every backup it names is complete.
  await fs.writeFile(path.join(txnDir, journalName), JSON.stringify(journal));
  try {
    for (const change of changes) {
      const abs = assertInside(root, change.path);
      if (change.after === null) await fs.rm(abs, { force: true });
      else {
        await fs.mkdir(path.dirname(abs), { recursive: true });
        await fs.writeFile(abs, change.after);
      }
    }
    await finish();
  } catch (error) {
    await rollback(root, txnDir, journal);
    throw error;
  }
  await fs.rm(txnDir, { recursive: true, force: true });
}

/** Restores an interrupted transaction; returns the number of files restored (0: none pending). */
export async function recover(root: string, txnDir: string): Promise<number> {
  let journal: JournalEntry[];
  try {
    journal = JSON.parse(await fs.readFile(path.join(txnDir, journalName), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    // No journal: killed while backing up, before any project file was written.
    await fs.rm(txnDir, { recursive: true, force: true });
    return 0;
  }
  await rollback(root, txnDir, journal);
  return journal.length;
}

async function rollback(root: string, txnDir: string, journal: readonly JournalEntry[]) {
  for (const entry of journal) {
    const abs = assertInside(root, entry.path);
    if (entry.backup === null) {
      await fs.rm(abs, { force: true });
      await removeEmptyParents(root, path.dirname(abs));
    } else {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.copyFile(path.join(txnDir, String(entry.backup)), abs);
    }
  }
  await fs.rm(txnDir, { recursive: true, force: true });
}

/** Directories the transaction created for new files go again, so the tree is as it was. */
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
