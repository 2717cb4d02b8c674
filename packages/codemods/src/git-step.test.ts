import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "@ds-service/generator";
import { oldProjectRepo } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { recordedGitStep, removeStaleIndexLock } from "./git-step.js";

// Which .git/index.lock the recovery may remove: only the one its own interrupted git step
// left — never one from before the step, nor one a live git holds.

/** A repository with a transaction directory, its index lock, and a logger that records. */
async function setup() {
  const dir = await oldProjectRepo();
  await fs.mkdir(path.join(dir, ".git/ds-service/txn"), { recursive: true });
  const lock = path.join(dir, ".git/index.lock");
  const warnings: string[] = [];
  const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), bold: (t) => t };
  return { dir, lock, warnings, log };
}

/** A step "killed" while git held the lock: it never returns, so its record stays. */
async function killedStep(dir: string, lock: string): Promise<void> {
  void recordedGitStep(dir, "git add", async () => {
    await fs.writeFile(lock, "");
    return new Promise(() => undefined);
  });
  for (let i = 0; i < 100 && !(await exists(lock)); i++) await sleep(10);
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("removeStaleIndexLock", () => {
  it("removes the lock its own killed git step left, and says so", async () => {
    const { dir, lock, warnings, log } = await setup();
    await killedStep(dir, lock);
    await removeStaleIndexLock(dir, { log });
    expect(await exists(lock)).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/removed .*index\.lock, left by .*`git add`/)]);
  });

  it("keeps a lock when no git step of ours was in flight", async () => {
    const { dir, lock, log } = await setup();
    await fs.writeFile(lock, "");
    await removeStaleIndexLock(dir, { log });
    expect(await exists(lock)).toBe(true);
  });

  it("keeps a lock from before the step (someone else's)", async () => {
    const { dir, lock, log } = await setup();
    await killedStep(dir, lock);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(lock, hourAgo, hourAgo);
    await removeStaleIndexLock(dir, { log });
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
        await removeStaleIndexLock(dir, { log });
        expect(await exists(lock)).toBe(true);
      } finally {
        live.kill("SIGKILL");
      }
    },
  );

  it("a step that returns takes its record with it", async () => {
    const { dir, lock, log } = await setup();
    await recordedGitStep(dir, "git add", () => fs.writeFile(lock, ""));
    await removeStaleIndexLock(dir, { log });
    expect(await exists(lock)).toBe(true);
    await expect(fs.readdir(path.join(dir, ".git/ds-service/txn"))).resolves.toEqual([]);
  });
});
