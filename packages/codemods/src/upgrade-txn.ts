import path from "node:path";
import {
  applyPlan,
  type FileOp,
  type StepHook,
  stateDirFor,
  type UndoHandler,
  withRepository,
} from "@ds-service/generator";
import { gitDir } from "./git.js";
import { git, type UpgradeDeps } from "./git-exec.js";
import { recordedGitStep, removeStaleLocks } from "./git-step.js";
import type { StagedChange } from "./tree.js";
import { restoreBranch, type SavedBranch } from "./upgrade-branch.js";

/** The refs an upgrade moves (the template bases); restored with the files on rollback. */
const refsPrefix = "refs/ds-service/";
/** The journal's undo kind for them: only this layer knows how to put refs back. */
const refsUndo = "git-refs";

type Refs = Record<string, string>;

/**
 * A git step of the transaction killed while it held a ref's lock (fast-import, update-ref:
 * SIGKILL, so git could not remove it) left the lock, which goes first, or the restore's own
 * `git update-ref` would stop on it (`removeStaleLocks`).
 */
const restoreSavedRefs =
  (deps: UpgradeDeps): UndoHandler =>
  async (data, root) => {
    await removeStaleLocks(root, deps);
    await restoreRefs(root, data as Refs, deps);
  };

/** The undo kind of a fleet upgrade, committed on a new branch: the refs, HEAD and that branch. */
const branchUndo = "git-branch";

/**
 * Its git steps take the index lock, HEAD's and the branch's: one killed while it held them
 * (SIGKILL: git cannot remove them) left them, which go first, or `git symbolic-ref`, `git
 * reset` and `git update-ref` would stop on them (`removeStaleLocks`).
 */
const restoreSavedBranch =
  (deps: UpgradeDeps): UndoHandler =>
  async (data, root) => {
    const saved = data as { refs: Refs; branch: SavedBranch };
    await removeStaleLocks(root, deps);
    await restoreBranch(root, saved.branch, deps);
    await restoreRefs(root, saved.refs, deps);
  };

/** Where an upgrade's transaction journal lives: inside .git, never in the work tree. */
export async function transactionDir(dir: string, deps: UpgradeDeps = {}): Promise<string> {
  await gitDir(dir, deps); // an upgrade needs git: say so before anything else
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
  deps: UpgradeDeps = {},
): Promise<T> {
  return withRepository(dir, command, (_stateDir, recovered) => fn(recovered), {
    undo: { [refsUndo]: restoreSavedRefs(deps), [branchUndo]: restoreSavedBranch(deps) },
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
  deps: UpgradeDeps = {},
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
      ? {
          kind: branchUndo,
          data: { refs: await readRefs(dir, deps), branch },
          run: restoreSavedBranch(deps),
        }
      : { kind: refsUndo, data: await readRefs(dir, deps), run: restoreSavedRefs(deps) },
  });
}

/** Rolls back an interrupted upgrade — files and refs; returns the number of files restored. */
export function recoverUpgrade(dir: string, deps: UpgradeDeps = {}): Promise<number> {
  return withUpgradeLock(dir, "check", async (recovered) => recovered, deps);
}

async function readRefs(dir: string, deps: UpgradeDeps): Promise<Refs> {
  const r = await git(deps, dir, ["for-each-ref", "--format=%(refname) %(objectname)", refsPrefix]);
  if (r.exitCode !== 0) throw new Error(`git for-each-ref failed: ${r.stderr}`);
  return Object.fromEntries(
    r.text
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}

async function restoreRefs(dir: string, saved: Refs, deps: UpgradeDeps): Promise<void> {
  const now = await readRefs(dir, deps);
  const commands = [
    ...Object.keys(now)
      .filter((ref) => !(ref in saved))
      .map((ref) => `delete ${ref}\n`),
    ...Object.entries(saved)
      .filter(([ref, sha]) => now[ref] !== sha)
      .map(([ref, sha]) => `update ${ref} ${sha}\n`),
  ];
  if (commands.length === 0) return;
  // Recorded: a restore killed here leaves the refs' locks to the next recovery to remove.
  const r = await recordedGitStep(dir, "git update-ref --stdin", () =>
    git(deps, dir, ["update-ref", "--stdin"], { input: commands.join("") }),
  );
  if (r.exitCode !== 0) throw new Error(`restoring the template refs failed: ${r.stderr}`);
}
