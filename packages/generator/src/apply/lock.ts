import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BusyError } from "../errors.js";
import { removeIfEmpty } from "./state-dir.js";

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly command: string;
  readonly since: string;
}

/** Tokens of the locks this process holds: a lock naming our pid but none of them leaked. */
const held = new Set<string>();

/**
 * Runs `fn` holding the repository's lock: one ds-service command changes a repository at a time;
 * a second one fails at once with a BusyError and writes nothing.
 *
 * A lock file made with an atomic no-replace `link` (the file appears whole or not at all) that
 * names its owner's pid. Not proper-lockfile: its staleness is an mtime refreshed every few
 * seconds, so an upgrade killed with SIGKILL would block the next `check` for that long; here a
 * lock whose process is gone (same host) is stale at once, and the next command goes on with
 * the recovery. Only when the pid is alive (or on another host) is the repository busy.
 */
export async function withRepoLock<T>(
  stateDir: string,
  command: string,
  fn: () => Promise<T>,
): Promise<T> {
  const release = await acquire(stateDir, command);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * What a dry run checks instead of taking the lock (it writes nothing, not even a lock): the
 * BusyError the real run would meet, so the dry run predicts it.
 */
export async function assertNotBusy(stateDir: string): Promise<void> {
  const lock = path.join(stateDir, "lock");
  const text = await fs.readFile(lock, "utf8").catch(() => null);
  if (text === null) return;
  const owner = parseOwner(text);
  if (owner !== null && !isStale(owner)) throw new BusyError(busyMessage(lock, owner));
}

async function acquire(stateDir: string, command: string): Promise<() => Promise<void>> {
  const lock = path.join(stateDir, "lock");
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    token: randomBytes(8).toString("hex"),
    command,
    since: new Date().toISOString(),
  };
  await fs.mkdir(stateDir, { recursive: true });
  const temp = `${lock}.${owner.token}`;
  await fs.writeFile(temp, JSON.stringify(owner));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(temp, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const text = await fs.readFile(lock, "utf8").catch(() => null);
      if (text === null) continue; // released meanwhile: try again
      const current = parseOwner(text);
      if (attempt > 3 || (current !== null && !isStale(current))) {
        throw new BusyError(busyMessage(lock, current));
      }
      await breakStale(lock, text, owner.token);
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
  held.add(owner.token);
  await sweep(stateDir);
  return async () => {
    held.delete(owner.token);
    // A failed release leaves a lock naming this pid with a token no one holds: stale, and the
    // command it protected has succeeded — so it is not reported.
    await fs.rm(lock, { force: true }).catch(() => undefined);
    await removeIfEmpty(stateDir);
  };
}

/**
 * Moves a stale lock aside and deletes it, unless another process replaced it between our read
 * and the move (then it goes back with a no-replace link, and the next attempt finds it busy).
 */
async function breakStale(lock: string, seen: string, token: string): Promise<void> {
  const aside = `${lock}.${token}.stale`;
  try {
    await fs.rename(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((await fs.readFile(aside, "utf8")) !== seen)
    await fs.link(aside, lock).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

/**
 * Deletes the side files (`lock.<token>`, `lock.<token>.stale`) of processes killed while they
 * took or broke the lock: each holds its owner, so only a dead owner's are removed.
 */
async function sweep(stateDir: string): Promise<void> {
  for (const name of await fs.readdir(stateDir)) {
    if (!name.startsWith("lock.")) continue;
    const file = path.join(stateDir, name);
    const owner = parseOwner(await fs.readFile(file, "utf8").catch(() => ""));
    if (owner === null || isStale(owner)) await fs.rm(file, { force: true });
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? owner : null;
  } catch {
    return null; // written by hand or corrupted: no owner to wait for
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false; // cannot tell: assume it is running
  if (owner.pid === process.pid) return !held.has(owner.token);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function busyMessage(lock: string, owner: LockOwner | null): string {
  const who = owner
    ? `\`ds-service ${owner.command}\` (pid ${owner.pid} on ${owner.host}, since ${owner.since})`
    : "another ds-service command";
  return `${who} is changing this repository; wait for it to finish and run this again — nothing was written. If no ds-service command is running, delete ${lock}`;
}
