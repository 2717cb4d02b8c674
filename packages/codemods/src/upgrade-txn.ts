import path from "node:path";
import {
  applyPlan,
  type FileOp,
  type StepHook,
  stateDirFor,
  type UndoHandler,
  withRepository,
} from "@ds-service/generator";
import { execa } from "execa";
import { gitDir } from "./git.js";
import type { StagedChange } from "./tree.js";
import { restoreBranch, type SavedBranch } from "./upgrade-branch.js";

/** The refs an upgrade moves (the template bases); restored with the files on rollback. */
const refsPrefix = "refs/ds-service/";
/** The journal's undo kind for them: only this layer knows how to put refs back. */
const refsUndo = "git-refs";

type Refs = Record<string, string>;

const restoreSavedRefs: UndoHandler = (data, root) => restoreRefs(root, data as Refs);

/** The undo kind of a fleet upgrade, committed on a new branch: the refs, HEAD and that branch. */
const branchUndo = "git-branch";

const restoreSavedBranch: UndoHandler = async (data, root) => {
  const saved = data as { refs: Refs; branch: SavedBranch };
  await restoreBranch(root, saved.branch);
  await restoreRefs(root, saved.refs);
};

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
    undo: { [refsUndo]: restoreSavedRefs, [branchUndo]: restoreSavedBranch },
  });
}

/**
 * Applies an upgrade's file changes and `finish` (which moves refs/ds-service/*) as one
 * transaction of the one applier: the refs as they were go into its journal, so a failure, an
 * abort of `options.signal` — or a kill, recovered by the next command — restores the refs
 * together with the files. The caller holds the lock (`withUpgradeLock`).
 */
export async function applyUpgradeTransaction(
  dir: string,
  changes: readonly StagedChange[],
  finish: () => Promise<void>,
  options: {
    readonly signal?: AbortSignal;
    /** Fleet: HEAD and the branch `finish` commits on, restored with the refs on rollback. */
    readonly branch?: SavedBranch;
    readonly onStep?: StepHook;
  } = {},
): Promise<void> {
  const { branch, ...applyOptions } = options;
  const ops: FileOp[] = changes.map((c) => ({
    path: c.path,
    content: c.after,
    ...(c.mode === undefined ? {} : { mode: c.mode }),
  }));
  await applyPlan(dir, ops, {
    stateDir: await stateDirFor(dir),
    finish,
    ...applyOptions,
    undo: branch
      ? { kind: branchUndo, data: { refs: await readRefs(dir), branch }, run: restoreSavedBranch }
      : { kind: refsUndo, data: await readRefs(dir), run: restoreSavedRefs },
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
