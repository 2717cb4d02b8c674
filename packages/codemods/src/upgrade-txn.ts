import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { gitDir } from "./git.js";
import { applyTransaction, type FileChange, recover } from "./transaction.js";

/** The refs an upgrade moves (the template bases); restored with the files on rollback. */
const refsPrefix = "refs/ds-service/";
const refsFile = "refs.json";

/** Where an upgrade's transaction journal lives: inside .git, never in the work tree. */
export async function transactionDir(dir: string): Promise<string> {
  return path.join(await gitDir(dir), "ds-service", "upgrade-txn");
}

/**
 * Applies an upgrade's file changes and `finish` (which moves refs/ds-service/*) as one
 * transaction: the refs as they were are saved beside the journal first, so a failure — or a
 * kill, recovered by `recoverUpgrade` — restores the refs together with the files.
 */
export async function applyUpgradeTransaction(
  dir: string,
  txnDir: string,
  changes: readonly FileChange[],
  finish: () => Promise<void>,
): Promise<void> {
  const refs = await readRefs(dir);
  await fs.mkdir(txnDir, { recursive: true });
  await fs.writeFile(path.join(txnDir, refsFile), JSON.stringify(refs));
  try {
    await applyTransaction(dir, txnDir, changes, finish);
  } catch (error) {
    await restoreRefs(dir, refs);
    throw error;
  }
}

/** Rolls back an interrupted upgrade — files and refs; returns the number of files restored. */
export async function recoverUpgrade(dir: string, txnDir: string): Promise<number> {
  const saved = await fs
    .readFile(path.join(txnDir, refsFile), "utf8")
    .then((text) => JSON.parse(text) as Record<string, string>)
    .catch(() => null);
  const restored = await recover(dir, txnDir);
  // Refs move only in `finish`, after the journal exists: no journal, no ref to restore.
  if (restored > 0 && saved !== null) await restoreRefs(dir, saved);
  return restored;
}

async function readRefs(dir: string): Promise<Record<string, string>> {
  const r = await execa("git", ["for-each-ref", "--format=%(refname) %(objectname)", refsPrefix], {
    cwd: dir,
  });
  return Object.fromEntries(
    r.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}

async function restoreRefs(dir: string, saved: Record<string, string>): Promise<void> {
  const now = await readRefs(dir);
  const commands = [
    ...Object.keys(now)
      .filter((ref) => !(ref in saved))
      .map((ref) => `delete ${ref}\n`),
    ...Object.entries(saved)
      .filter(([ref, sha]) => now[ref] !== sha)
      .map(([ref, sha]) => `update ${ref} ${sha}\n`),
  ];
  if (commands.length === 0) return;
  await execa("git", ["update-ref", "--stdin"], { cwd: dir, input: commands.join("") });
}
