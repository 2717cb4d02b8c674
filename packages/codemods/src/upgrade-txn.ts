import path from "node:path";
import {
  applyPlan,
  type FileOp,
  stateDirFor,
  type UndoHandler,
  withRepository,
} from "@ds-service/generator";
import { execa } from "execa";
import { gitDir } from "./git.js";
import type { StagedChange } from "./tree.js";

/** The refs an upgrade moves (the template bases); restored with the files on rollback. */
const refsPrefix = "refs/ds-service/";
/** The journal's undo kind for them: only this layer knows how to put refs back. */
const refsUndo = "git-refs";

type Refs = Record<string, string>;

const restoreSavedRefs: UndoHandler = (data, root) => restoreRefs(root, data as Refs);

/** Where an upgrade's transaction journal lives: inside .git, never in the work tree. */
export async function transactionDir(dir: string): Promise<string> {
  await gitDir(dir); // an upgrade needs git: say so before anything else
  return path.join(await stateDirFor(dir), "txn");
}

/**
 * Runs `fn` holding the repository's lock, after finishing or restoring whatever command was
 * interrupted there (files and refs alike); `fn` gets the number of files restored.
 */
export function withUpgradeLock<T>(
  dir: string,
  command: string,
  fn: (recovered: number) => Promise<T>,
): Promise<T> {
  return withRepository(dir, command, (_stateDir, recovered) => fn(recovered), {
    undo: { [refsUndo]: restoreSavedRefs },
  });
}

/**
 * Applies an upgrade's file changes and `finish` (which moves refs/ds-service/*) as one
 * transaction of the one applier: the refs as they were go into its journal, so a failure — or
 * a kill, recovered by the next command — restores the refs together with the files. The
 * caller holds the lock (`withUpgradeLock`).
 */
export async function applyUpgradeTransaction(
  dir: string,
  changes: readonly StagedChange[],
  finish: () => Promise<void>,
): Promise<void> {
  const ops: FileOp[] = changes.map((c) => ({ path: c.path, content: c.after }));
  await applyPlan(dir, ops, {
    stateDir: await stateDirFor(dir),
    finish,
    undo: { kind: refsUndo, data: await readRefs(dir), run: restoreSavedRefs },
  });
}

/** Rolls back an interrupted upgrade — files and refs; returns the number of files restored. */
export function recoverUpgrade(dir: string): Promise<number> {
  return withUpgradeLock(dir, "check", async (recovered) => recovered);
}

async function readRefs(dir: string): Promise<Refs> {
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

async function restoreRefs(dir: string, saved: Refs): Promise<void> {
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
