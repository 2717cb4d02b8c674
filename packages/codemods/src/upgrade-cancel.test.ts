import fs from "node:fs/promises";
import path from "node:path";
import {
  applyPlan,
  BusyError,
  CancelledError,
  stateDirFor,
  withRepoLock,
} from "@ds-service/generator";
import { git, listTree, oldProjectRepo } from "@ds-service/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { upgradeProject } from "./run-upgrade.js";

// An upgrade is cancelled by its AbortSignal half-way through its writes and leaves the project
// as it was; a dry run meets the same lock and the same interrupted journal the real run would,
// and says so instead of planning against a half-written tree.

/** Every work-tree file's bytes and every refs/ds-service/* ref. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = (await fs.readFile(path.join(dir, f))).toString("base64");
  }
  out["<refs>"] = await git(dir, "for-each-ref", "--format=%(refname) %(objectname)", "refs/");
  return out;
}

const stateGone = (dir: string) =>
  expect(fs.stat(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);

afterEach(() => vi.restoreAllMocks());

describe("upgrade cancelled by its signal", () => {
  it("rolls back every file and ref it wrote and throws a CancelledError (exit 130)", async () => {
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    const controller = new AbortController();
    const writeFile = fs.writeFile;
    let projectWrites = 0;
    vi.spyOn(fs, "writeFile").mockImplementation((async (...args: Parameters<typeof writeFile>) => {
      const file = String(args[0]);
      const inTree = file.startsWith(dir) && !file.includes(`${path.sep}.git${path.sep}`);
      // Ctrl-C arrives while the first file of the project is being written.
      if (inTree && ++projectWrites === 1) controller.abort("SIGINT");
      return writeFile(...args);
    }) as typeof writeFile);

    const outcome = await upgradeProject({ dir, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(projectWrites).toBe(1);
    expect(outcome).toBeInstanceOf(CancelledError);
    expect((outcome as CancelledError).exitCode).toBe(130);
    expect((outcome as Error).message).toMatch(/upgrade cancelled: .*restored/);
    expect(await snapshot(dir)).toEqual(before);
    await stateGone(dir);
  }, 120_000);
});

describe("upgrade --dry-run", () => {
  it("is refused as busy (exit 75) while another command holds the lock", async () => {
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    let outcome: unknown;
    await withRepoLock(await stateDirFor(dir), "upgrade", async () => {
      outcome = await upgradeProject({ dir, dryRun: true }).catch((error: unknown) => error);
    });
    expect(outcome).toBeInstanceOf(BusyError);
    expect((outcome as BusyError).exitCode).toBe(75);
    expect((outcome as Error).message).toMatch(
      /`ds-service upgrade` .*is changing this repository/,
    );
    expect(await snapshot(dir)).toEqual(before);
  }, 120_000);

  it("says an interrupted command left the tree half-written, instead of planning against it", async () => {
    const dir = await oldProjectRepo();
    // An earlier upgrade killed after its first write: its hook never returns.
    let killed: () => void = () => undefined;
    const died = new Promise<void>((resolve) => {
      killed = resolve;
    });
    void applyPlan(dir, [{ path: "pyproject.toml", content: Buffer.from("half-written") }], {
      stateDir: await stateDirFor(dir),
      onStep: (step) => {
        if (step !== "write pyproject.toml") return undefined;
        killed();
        return new Promise(() => undefined);
      },
    });
    await died;
    const halfWritten = await snapshot(dir);

    const outcome = await upgradeProject({ dir, dryRun: true, allowDirty: true }).catch(
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(BusyError);
    expect((outcome as Error).message).toMatch(
      /interrupted .*half-written.*`ds-service check` \(or `ds-service upgrade` without --dry-run\)/,
    );
    expect(await snapshot(dir)).toEqual(halfWritten);

    // The real run restores the file first, then upgrades.
    const real = await upgradeProject({ dir });
    expect(real.recovered).toBe(1);
    expect(real.changed).toContain("pyproject.toml");
    await stateGone(dir);
  }, 120_000);
});
