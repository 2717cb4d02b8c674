import fs from "node:fs/promises";
import path from "node:path";
import { stateDirFor } from "@ds-service/generator";
import { git, silentLog, type UpgradeDeps } from "./git-exec.js";

/**
 * The git steps of an upgrade's transaction that take `.git/index.lock` (the fleet's switch,
 * add and commit on its branch, and their undo) are recorded beside the journal while they run.
 * git removes its lock when it fails or is stopped by a signal it can catch; killed with
 * SIGKILL (or with the machine), it leaves the lock, and every later git command — the recovery's
 * own `git reset` first — refuses to run. The record is how the recovery tells that lock, which
 * it removes, from the lock of a git someone else runs, which it never touches.
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
 * Removes the index lock an interrupted transaction's own git step left, before the recovery
 * runs git (called first by the undo of a fleet upgrade's branch). Only when all three hold:
 * the record says one of our git steps was in flight; the lock dates from that step, not
 * before it; and no git is running in the repository (read from /proc: a git whose working
 * directory is in its work tree). Where there is no /proc, nothing tells whether a git still
 * holds it, so the lock stays, and the log says what to do.
 */
export async function removeStaleIndexLock(dir: string, deps: UpgradeDeps = {}): Promise<void> {
  const log = deps.log ?? silentLog;
  const record = await readRecord(await recordFile(dir));
  if (record === null) return;
  const located = await git(deps, dir, [
    "rev-parse",
    "--show-toplevel",
    "--git-path",
    "index.lock",
  ]);
  const [top = dir, relative = ""] = located.text.split("\n");
  if (located.exitCode !== 0 || path.basename(relative) !== "index.lock") return;
  const lock = path.resolve(dir, relative);
  const stat = await fs.stat(lock).catch(() => null);
  if (stat === null || stat.mtimeMs < record.since - clockSlack) return;
  const running = await gitRunningIn(top);
  if (running === null) {
    log.warn(
      `${lock} is left from the interrupted \`${record.step}\`; if no git is running in ${dir}, delete it and run this again`,
    );
    return;
  }
  if (running.length > 0) return; // a live git holds it: git's own error says so
  await fs.rm(lock, { force: true });
  log.warn(`removed ${lock}, left by the interrupted upgrade's \`${record.step}\``);
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

/** The pids of the git processes working in `dir`; null where the system does not say (no /proc). */
export async function gitRunningIn(dir: string): Promise<number[] | null> {
  const pids = await fs.readdir("/proc").catch(() => null);
  if (pids === null || !pids.includes("self")) return null;
  const real = await fs.realpath(dir);
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
    if (cwd === null || cwd === real || cwd.startsWith(`${real}${path.sep}`)) {
      found.push(Number(pid));
    }
  }
  return found;
}
