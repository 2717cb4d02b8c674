import { StepError, type StepHook, ValidationError } from "@ds-service/generator";
import { git as runGit, type UpgradeDeps } from "./git-exec.js";
import { recordedGitStep } from "./git-step.js";

/**
 * What a fleet upgrade's commit step changes outside the files, saved in its journal so a
 * failure or a kill at any step puts it back: HEAD as it was, and the branch it creates.
 */
export interface SavedBranch {
  /** HEAD before: a branch's full ref (`refs/heads/main`), or a commit when HEAD was detached. */
  readonly head: string;
  /** The branch the upgrade creates, as a full ref (`refs/heads/ds-service/upgrade-<version>`). */
  readonly branch: string;
}

/** The branch a fleet upgrade to template `version` is committed on. */
export const upgradeBranch = (version: string) => `ds-service/upgrade-${version}`;

const identity = [
  "-c",
  "user.name=ds-service",
  "-c",
  "user.email=ds-service@users.noreply.localhost",
];

async function git(deps: UpgradeDeps, dir: string, ...args: string[]): Promise<string> {
  const r = await runGit(deps, dir, [...identity, ...args]);
  if (r.exitCode !== 0) {
    throw new StepError(`git ${args[0]} failed in ${dir}: ${r.stderr.trim() || r.text.trim()}`);
  }
  return r.text.trim();
}

/**
 * A git step that may take a lock (the index's, HEAD's, a ref's), recorded beside the journal
 * while it runs.
 */
const step = (deps: UpgradeDeps, dir: string, ...args: string[]) =>
  recordedGitStep(dir, `git ${args[0]}`, () => git(deps, dir, ...args));

/** Refuses a branch that exists already: an earlier fleet run made it, for a person to review. */
export async function assertNewBranch(
  dir: string,
  name: string,
  deps: UpgradeDeps = {},
): Promise<void> {
  const r = await runGit(deps, dir, ["rev-parse", "--verify", "--quiet", `refs/heads/${name}`]);
  if (r.exitCode === 0) throw new ValidationError(`branch ${name} already exists`);
}

/** HEAD as `SavedBranch.head` records it. */
export async function readHead(dir: string, deps: UpgradeDeps = {}): Promise<string> {
  const r = await runGit(deps, dir, ["symbolic-ref", "--quiet", "HEAD"]);
  if (r.exitCode === 0) return r.text.trim();
  return git(deps, dir, "rev-parse", "--verify", "HEAD");
}

/**
 * Commits the work tree as the transaction wrote it on the new branch, then goes back to HEAD
 * as it was (the work tree with it). The tree was clean before (the upgrade refuses a dirty
 * one), so the commit holds the upgrade and nothing else. `onStep` follows every git step.
 */
export async function commitOnBranch(
  dir: string,
  saved: SavedBranch,
  message: string,
  onStep: StepHook,
  deps: UpgradeDeps = {},
): Promise<void> {
  await step(deps, dir, "switch", "--quiet", "-c", saved.branch.replace(/^refs\/heads\//, ""));
  await onStep("git switch -c");
  await step(deps, dir, "add", "--all");
  await onStep("git add");
  await step(deps, dir, "commit", "--quiet", "--no-verify", "-m", message);
  await onStep("git commit");
  if (saved.head.startsWith("refs/heads/")) {
    await step(deps, dir, "switch", "--quiet", saved.head.slice("refs/heads/".length));
  } else await step(deps, dir, "switch", "--quiet", "--detach", saved.head);
}

/**
 * The undo of `commitOnBranch`, run after the journal restored the files: HEAD goes back where
 * it was, the index with it (the work tree is not touched), and the half-made branch is
 * deleted. Every step is idempotent, so a recovery killed here is finished by the next one
 * (its steps, which take HEAD's, the index's and the branch's locks, are recorded like the
 * steps they undo).
 */
export async function restoreBranch(
  dir: string,
  saved: SavedBranch,
  deps: UpgradeDeps = {},
): Promise<void> {
  if (saved.head.startsWith("refs/")) await step(deps, dir, "symbolic-ref", "HEAD", saved.head);
  else await step(deps, dir, "update-ref", "--no-deref", "HEAD", saved.head);
  await step(deps, dir, "reset", "--quiet");
  await step(deps, dir, "update-ref", "-d", saved.branch);
}
