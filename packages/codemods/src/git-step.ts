import fs from "node:fs/promises";
import path from "node:path";
import { stateDirFor } from "@ds-service/generator";
import { git, silentLog, type UpgradeDeps } from "./git-exec.js";

/**
 * The git steps of an upgrade's transaction that take a lock — `.git/index.lock` (the fleet's
 * switch, add and commit on its branch, and their undo), `HEAD.lock`, a ref's `<ref>.lock` or
 * `packed-refs.lock` (every step that moves a ref: fast-import and update-ref of the template
 * bases, the commit, the switch, the recovery's own restore) — are recorded beside the journal
 * while they run. git removes its lock when it fails or is stopped by a signal it can catch;
 * killed with SIGKILL (or with the machine), it leaves the lock, and every later git command
 * that needs it — the recovery's own `git update-ref` and `git reset` first — refuses to run.
 * The record is how the recovery tells those locks, which it removes, from the locks of a git
 * someone else runs, which it never touches.
 */
const recordName = "git-step.json";

interface GitStepRecord {
  /** The step, as git's command line (`git add --all`). */
  readonly step: string;
  /** When it started (ms since the epoch): a lock older than that is not this step's. */
  readonly since: number;
}

/** mtime and the clock may disagree by a file system's timestamp granularity (2 s on FAT). */
const clockSlack = 2_000;

const recordFile = async (dir: string) => path.join(await stateDirFor(dir), "txn", recordName);

/**
 * Runs `run` (one git step of the transaction in `dir`) with the record of it beside the
 * journal, removed once git has returned, whatever it returned.
 */
export async function recordedGitStep<T>(
  dir: string,
  step: string,
  run: () => Promise<T>,
): Promise<T> {
  const file = await recordFile(dir);
  const record: GitStepRecord = { step, since: Date.now() };
  const written = await fs
    .writeFile(`${file}.tmp`, JSON.stringify(record))
    .then(() => fs.rename(`${file}.tmp`, file))
    .then(
      () => true,
      // No transaction directory: not inside a transaction, so there is nothing to recover.
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
  try {
    return await run();
  } finally {
    if (written) await fs.rm(file, { force: true });
  }
}

/**
 * Removes the locks an interrupted transaction's own git step left, before the recovery runs
 * git (called first by every undo: the refs', and the fleet branch's before its `git reset`):
 * `index.lock`, `HEAD.lock`, `packed-refs.lock` and any `*.lock` under `refs/` (the worktree's
 * and the common git directory's, as `git rev-parse --git-path` finds them). Only when all three
 * hold: the record says one of our git steps was in flight; the lock dates from that step, not
 * before it; and no git is running in the repository (read from /proc: a git whose working
 * directory is in one of its work trees or its git directory). Where there is no /proc, nothing
 * tells whether a git still holds them, so the locks stay, and the log says what to do. The
 * record goes once no lock of its step is left.
 */
export async function removeStaleLocks(dir: string, deps: UpgradeDeps = {}): Promise<void> {
  const log = deps.log ?? silentLog;
  const file = await recordFile(dir);
  const record = await readRecord(file);
  if (record === null) return;
  const located = await git(deps, dir, [
    "rev-parse",
    "--show-toplevel",
    "--git-common-dir",
    "--absolute-git-dir",
    ...lockNames.flatMap((name) => ["--git-path", name]),
    "--git-path",
    "refs",
  ]);
  const lines = located.text.split("\n").map((line) => path.resolve(dir, line));
  const [top, common, own, ...paths] = lines;
  const named = paths.slice(0, lockNames.length);
  if (
    located.exitCode !== 0 ||
    top === undefined ||
    common === undefined ||
    own === undefined ||
    paths.length !== lockNames.length + 1 ||
    named.some((lock, i) => path.basename(lock) !== lockNames[i])
  ) {
    return;
  }
  const refDirs = new Set([...paths.slice(lockNames.length), path.join(own, "refs")]);
  const candidates = new Set(named);
  for (const refs of refDirs) for (const lock of await locksUnder(refs)) candidates.add(lock);
  const stale: string[] = [];
  for (const lock of [...candidates].sort()) {
    const stat = await fs.stat(lock).catch(() => null);
    if (stat?.isFile() && stat.mtimeMs >= record.since - clockSlack) stale.push(lock);
  }
  // Once its locks are gone, the record is evidence of nothing: a later lock is not its step's.
  if (stale.length === 0) {
    await fs.rm(file, { force: true });
    return;
  }
  const running = await gitRunningIn(...(await workTrees(dir, top, deps)), common, own);
  if (running === null) {
    for (const lock of stale) {
      log.warn(
        `${lock} is left from the interrupted \`${record.step}\`; if no git is running in ${dir}, delete it and run this again`,
      );
    }
    return;
  }
  if (running.length > 0) return; // a live git holds them: git's own error says so
  for (const lock of stale) {
    await fs.rm(lock, { force: true });
    log.warn(`removed ${lock}, left by the interrupted upgrade's \`${record.step}\``);
  }
  await fs.rm(file, { force: true });
}

/** The lock files of a git directory a step of ours may leave besides those under `refs/`. */
const lockNames = ["index.lock", "HEAD.lock", "packed-refs.lock"] as const;

/** Every `*.lock` file under `dir` (a `refs/` folder), however deep; none when it is missing. */
async function locksUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await locksUnder(full)));
    else if (entry.isFile() && entry.name.endsWith(".lock")) found.push(full);
  }
  return found;
}

/**
 * Every work tree of the repository (`git worktree list`): a git in any of them may hold a ref
 * they share. Just `top` when git does not say.
 */
async function workTrees(dir: string, top: string, deps: UpgradeDeps): Promise<string[]> {
  const listed = await git(deps, dir, ["worktree", "list", "--porcelain"]);
  const trees =
    listed.exitCode === 0
      ? listed.text
          .split("\n")
          .filter((line) => line.startsWith("worktree "))
          .map((line) => line.slice("worktree ".length))
      : [];
  return [...new Set([top, ...trees])];
}

async function readRecord(file: string): Promise<GitStepRecord | null> {
  const text = await fs.readFile(file, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const record = JSON.parse(text) as GitStepRecord;
    return typeof record.step === "string" && typeof record.since === "number" ? record : null;
  } catch {
    return null; // torn or edited: no evidence that the lock is ours
  }
}

/**
 * The pids of the git processes working in any of `dirs` (or below); null where the system does
 * not say (no /proc).
 */
export async function gitRunningIn(...dirs: string[]): Promise<number[] | null> {
  const pids = await fs.readdir("/proc").catch(() => null);
  if (pids === null || !pids.includes("self")) return null;
  const reals = await Promise.all(
    dirs.map((dir) => fs.realpath(dir).catch(() => path.resolve(dir))),
  );
  const found: number[] = [];
  for (const pid of pids.filter((p) => /^\d+$/.test(p))) {
    // `<pid> (<comm>) <state> …`; a zombie (Z) or dead (X) process holds nothing.
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const match = /^\d+ \((.*)\) (\S)/s.exec(stat);
    if (match?.[1] !== "git" || match[2] === "Z" || match[2] === "X") continue;
    const cwd = await fs.readlink(`/proc/${pid}/cwd`).catch((error: NodeJS.ErrnoException) =>
      // Gone since: nothing. Another user's process hides its cwd: it cannot be ruled out.
      error.code === "ENOENT" ? undefined : null,
    );
    if (cwd === undefined) continue;
    if (
      cwd === null ||
      reals.some((real) => cwd === real || cwd.startsWith(`${real}${path.sep}`))
    ) {
      found.push(Number(pid));
    }
  }
  return found;
}
