import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import {
  type Exec,
  execaExec,
  type Logger,
  serviceTemplateSource,
  stateDirFor,
} from "@ds-service/generator";
import { git, oldProjectRepo, repoState } from "@ds-service/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkProject } from "./check.js";
import { fleetUpgrade } from "./fleet.js";
import { baseRef, versionBaseRef } from "./git.js";
import { recordedGitStep, removeStaleLocks } from "./git-step.js";
import { upgradeProject } from "./run-upgrade.js";
import { upgradeBranch } from "./upgrade-branch.js";

// Which git locks (.git/index.lock, HEAD.lock, packed-refs.lock, refs/**.lock) the recovery may
// remove: only those its own interrupted git step left — never one from before the step, nor
// one a live git holds.

/** A repository with a transaction directory, its index lock, and a logger that records. */
async function setup() {
  const dir = await oldProjectRepo();
  await fs.mkdir(path.join(dir, ".git/ds-service/txn"), { recursive: true });
  const lock = path.join(dir, ".git/index.lock");
  const warnings: string[] = [];
  const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), bold: (t) => t };
  return { dir, lock, warnings, log };
}

/** A step "killed" while git held its locks: it never returns, so its record stays. */
async function killedStep(dir: string, ...locks: string[]): Promise<void> {
  void recordedGitStep(dir, "git add", async () => {
    for (const lock of locks) {
      await fs.mkdir(path.dirname(lock), { recursive: true });
      await fs.writeFile(lock, "");
    }
    return new Promise(() => undefined);
  });
  for (const lock of locks) for (let i = 0; i < 100 && !(await exists(lock)); i++) await sleep(10);
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );
/** `text` matched literally inside a RegExp (a temp folder's path). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("removeStaleLocks", () => {
  it("removes the lock its own killed git step left, and says so", async () => {
    const { dir, lock, warnings, log } = await setup();
    await killedStep(dir, lock);
    await removeStaleLocks(dir, { log });
    expect(await exists(lock)).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/removed .*index\.lock, left by .*`git add`/)]);
  });

  it("keeps a lock when no git step of ours was in flight", async () => {
    const { dir, lock, log } = await setup();
    await fs.writeFile(lock, "");
    await removeStaleLocks(dir, { log });
    expect(await exists(lock)).toBe(true);
  });

  it("keeps a lock from before the step (someone else's)", async () => {
    const { dir, lock, log } = await setup();
    await killedStep(dir, lock);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(lock, hourAgo, hourAgo);
    await removeStaleLocks(dir, { log });
    expect(await exists(lock)).toBe(true);
  });

  it.skipIf(process.platform !== "linux")(
    "keeps a lock while a git runs in the repository",
    async () => {
      const { dir, lock, log } = await setup();
      await killedStep(dir, lock);
      // A live git in a subfolder of the work tree, waiting on its stdin.
      const live = spawn("git", ["hash-object", "--stdin"], { cwd: path.join(dir, "src") });
      try {
        await sleep(200);
        await removeStaleLocks(dir, { log });
        expect(await exists(lock)).toBe(true);
      } finally {
        live.kill("SIGKILL");
      }
    },
  );

  it("a step that returns takes its record with it", async () => {
    const { dir, lock, log } = await setup();
    await recordedGitStep(dir, "git add", () => fs.writeFile(lock, ""));
    await removeStaleLocks(dir, { log });
    expect(await exists(lock)).toBe(true);
    await expect(fs.readdir(path.join(dir, ".git/ds-service/txn"))).resolves.toEqual([]);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The locks a ref-moving step (commit, switch, update-ref, fast-import) killed with SIGKILL leaves. */
const refLocks = (dir: string) => ({
  head: path.join(dir, ".git/HEAD.lock"),
  packed: path.join(dir, ".git/packed-refs.lock"),
  branch: path.join(dir, ".git/refs/heads/ds-service/upgrade-9.9.9.lock"),
  base: path.join(dir, ".git/refs/ds-service/x.lock"),
});

describe("removeStaleLocks, HEAD's, packed-refs' and the refs' locks", () => {
  it("removes every lock its own killed git step left, each said, and git moves refs again", async () => {
    const { dir, warnings, log } = await setup();
    const locks = Object.values(refLocks(dir));
    await killedStep(dir, ...locks);
    // What the recovery's own restore would meet.
    await expect(git(dir, "update-ref", "refs/ds-service/x", "HEAD")).rejects.toThrow(
      /x\.lock': File exists/,
    );
    await removeStaleLocks(dir, { log });
    for (const lock of locks) expect(await exists(lock), lock).toBe(false);
    expect(warnings).toHaveLength(locks.length);
    for (const lock of locks) {
      expect(warnings, lock).toContainEqual(
        expect.stringMatching(new RegExp(`^removed ${literal(lock)}, left by .*\`git add\``)),
      );
    }
    await git(dir, "update-ref", "refs/ds-service/x", "HEAD");
    await git(dir, "update-ref", "--no-deref", "HEAD", "HEAD");
    // The record went with the locks: a lock made later is not its step's.
    await expect(fs.readdir(path.join(dir, ".git/ds-service/txn"))).resolves.toEqual([]);
  });

  it("keeps a ref's lock from before the step (someone else's), and removes the step's", async () => {
    const { dir, log } = await setup();
    const { head, base } = refLocks(dir);
    await killedStep(dir, head, base);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(base, hourAgo, hourAgo);
    await removeStaleLocks(dir, { log });
    expect(await exists(base)).toBe(true);
    expect(await exists(head)).toBe(false);
  });

  it.skipIf(process.platform !== "linux")(
    "keeps every lock while a git runs in the repository",
    async () => {
      const { dir, log } = await setup();
      const locks = Object.values(refLocks(dir));
      await killedStep(dir, ...locks);
      // A live git in the git directory itself, waiting on its stdin.
      const live = spawn("git", ["hash-object", "--stdin"], { cwd: path.join(dir, ".git") });
      try {
        await sleep(200);
        await removeStaleLocks(dir, { log });
        for (const lock of locks) expect(await exists(lock), lock).toBe(true);
      } finally {
        live.kill("SIGKILL");
      }
    },
  );

  it("without /proc keeps every lock and names each one", async () => {
    const { dir, warnings, log } = await setup();
    const locks = Object.values(refLocks(dir));
    await killedStep(dir, ...locks);
    const readdir = fs.readdir;
    vi.spyOn(fs, "readdir").mockImplementation(((target: string, ...rest: never[]) =>
      target === "/proc"
        ? Promise.reject(Object.assign(new Error("no /proc"), { code: "ENOENT" }))
        : (readdir as (...args: unknown[]) => Promise<unknown>)(target, ...rest)) as never);
    await removeStaleLocks(dir, { log });
    for (const lock of locks) expect(await exists(lock), lock).toBe(true);
    expect(warnings).toHaveLength(locks.length);
    for (const lock of locks) {
      expect(warnings, lock).toContainEqual(
        expect.stringMatching(
          new RegExp(`^${literal(lock)} is left from .*delete it and run this again`),
        ),
      );
    }
  });
});

/**
 * Runs `run` with an exec that forwards every git to git, except the first whose arguments
 * hold `command`: that one takes `locks` and is killed with SIGKILL holding them, together
 * with the process that ran it — so it never returns and nothing after it runs. Then that
 * process's hold on the repository's lock goes, as with a dead process.
 */
async function killedIn(
  dir: string,
  command: string,
  locks: readonly string[],
  run: (exec: Exec) => Promise<unknown>,
): Promise<void> {
  let killed: () => void = () => undefined;
  const died = new Promise<void>((resolve) => {
    killed = resolve;
  });
  const exec: Exec = async (file, args, options) => {
    if (!` ${args.join(" ")} `.includes(` ${command} `)) return execaExec(file, args, options);
    for (const lock of locks) {
      await fs.mkdir(path.dirname(lock), { recursive: true });
      await fs.writeFile(lock, "");
    }
    killed();
    return new Promise(() => undefined);
  };
  const finished = run(exec).then(
    () => "returned",
    (error: unknown) => `failed: ${error}`,
  );
  const outcome = await Promise.race([died.then(() => "killed"), finished]);
  expect(outcome, `\`git ${command}\` was never run`).toBe("killed");
  await fs.rm(path.join(await stateDirFor(dir), "lock"));
}

describe("an upgrade killed in a git step that moves refs", () => {
  it("is restored by the next check, which removes the ref locks the killed gits left", async () => {
    const dir = await oldProjectRepo();
    const before = await repoState(dir);
    const warnings: string[] = [];
    const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), bold: (t) => t };
    const version = serviceTemplateSource.packageVersion;
    // The upgrade dies in the update-ref of the per-version base (fast-import has moved
    // refs/ds-service/base by then), leaving that ref's lock.
    const versionLock = path.join(dir, `.git/${versionBaseRef(version)}.lock`);
    await killedIn(dir, `update-ref ${versionBaseRef(version)}`, [versionLock], (exec) =>
      upgradeProject({ dir }, { exec, log }),
    );
    // The check that recovers it dies in its own restore of the refs, leaving the base's lock.
    const baseLock = path.join(dir, `.git/${baseRef}.lock`);
    await killedIn(dir, "update-ref --stdin", [baseLock], (exec) =>
      checkProject(dir, { exec, log }),
    );

    // The next check recovers: the files, the refs, HEAD and the index as they were.
    await checkProject(dir, { log });
    expect(await repoState(dir)).toEqual(before);
    expect(await exists(versionLock)).toBe(false);
    expect(await exists(baseLock)).toBe(false);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^removed ${literal(versionLock)}, left by .*\`git update-ref\``),
      ),
      expect.stringMatching(
        new RegExp(`^removed ${literal(baseLock)}, left by .*\`git update-ref --stdin\``),
      ),
    ]);
    await expect(fs.stat(path.join(await stateDirFor(dir), "txn"))).rejects.toThrow(/ENOENT/);
    // And the project upgrades again.
    const upgraded = await upgradeProject({ dir });
    expect(upgraded.changed.length).toBeGreaterThan(0);
    expect(await git(dir, "rev-parse", versionBaseRef(version))).toBe(
      await git(dir, "rev-parse", baseRef),
    );
  }, 120_000);

  it("a fleet upgrade killed in its commit is restored by the next check: HEAD's, the branch's and the index's locks go", async () => {
    const dir = await oldProjectRepo();
    const before = await repoState(dir);
    const warnings: string[] = [];
    const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), bold: (t) => t };
    const branch = upgradeBranch(serviceTemplateSource.packageVersion);
    // What git commit holds when it dies on the new branch: the index, HEAD and the branch.
    const locks = [
      path.join(dir, ".git/HEAD.lock"),
      path.join(dir, ".git/index.lock"),
      path.join(dir, `.git/refs/heads/${branch}.lock`),
    ];
    await killedIn(dir, "commit", locks, (exec) => fleetUpgrade({ paths: [dir] }, { exec, log }));

    await checkProject(dir, { log });
    expect(await repoState(dir)).toEqual(before);
    for (const lock of locks) expect(await exists(lock), lock).toBe(false);
    expect(warnings).toEqual(
      locks.map((lock) =>
        expect.stringMatching(new RegExp(`^removed ${literal(lock)}, left by .*\`git commit\``)),
      ),
    );
    const [again] = await fleetUpgrade({ paths: [dir] });
    expect(again?.status, again?.detail).toBe("upgraded");
  }, 120_000);
});
