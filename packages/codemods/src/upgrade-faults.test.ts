import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { git, listTree, oldProjectRepo } from "@ds-service/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { baseRef } from "./git.js";
import { upgradeProject } from "./run-upgrade.js";
import { recoverUpgrade, transactionDir } from "./upgrade-txn.js";

// Failure injection at every write step of a real upgrade of the 0.1.0 fixture: whatever step
// fails, the work tree and refs/ds-service/* are byte for byte what they were, and no journal is
// left behind. The one boundary mocked is node:fs/promises, to make exactly one call fail.

const oldProject = () => oldProjectRepo();

/** Every work-tree file's bytes (as base64) and every refs/ds-service/* ref. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = (await fs.readFile(path.join(dir, f))).toString("base64");
  }
  out["<refs>"] = await git(
    dir,
    "for-each-ref",
    "--format=%(refname) %(objectname)",
    "refs/ds-service/",
  );
  out["<HEAD>"] = await git(dir, "rev-parse", "HEAD");
  return out;
}

type Op = "writeFile" | "copyFile" | "rm" | "mkdir";
const ops: readonly Op[] = ["writeFile", "copyFile", "rm", "mkdir"];

/** Counts calls of `op`; when `failAt` is set, that call (1-based) fails with EIO. */
function inject(op: Op, failAt?: number): { calls: () => number } {
  let calls = 0;
  const original = fs[op] as (...args: unknown[]) => Promise<unknown>;
  vi.spyOn(fs, op).mockImplementation(((...args: unknown[]) => {
    calls++;
    if (calls === failAt) {
      return Promise.reject(
        Object.assign(new Error(`injected EIO on ${op} #${calls}`), { code: "EIO" }),
      );
    }
    return original.apply(fs, args);
  }) as never);
  return { calls: () => calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("upgrade fault injection", () => {
  it("restores files and refs byte for byte whichever fs call of the upgrade fails", async () => {
    // How many calls of each kind a clean upgrade makes.
    const counts = {} as Record<Op, number>;
    for (const op of ops) {
      const dir = await oldProject();
      const counter = inject(op);
      await upgradeProject({ dir });
      counts[op] = counter.calls();
      vi.restoreAllMocks();
    }
    expect(counts.writeFile).toBeGreaterThan(3);

    let cases = 0;
    const dir = await oldProject();
    const before = await snapshot(dir);
    for (const op of ops) {
      for (let k = 1; k <= counts[op]; k++) {
        inject(op, k);
        const error = await upgradeProject({ dir }).catch((e: unknown) => e);
        vi.restoreAllMocks();
        const where = `${op} #${k} of ${counts[op]}`;
        // A failure during cleanup (after the commit point) may leave a journal for the next
        // run; recovering it must still give the tree as it was.
        if (error instanceof Error) {
          expect(error.message, where).toMatch(/injected EIO/);
          await recoverUpgrade(dir);
          expect(await snapshot(dir), where).toEqual(before);
        } else {
          // The failing call came after the commit point (cleaning up): the upgrade went through,
          // and the next command finishes the cleanup.
          await recoverUpgrade(dir);
          await git(dir, "reset", "-q", "--hard", "HEAD");
          await git(dir, "clean", "-qfd");
          await git(
            dir,
            "update-ref",
            baseRef,
            before["<refs>"]?.match(/refs\/ds-service\/base (\w+)/)?.[1] ?? "",
          );
          await git(
            dir,
            "update-ref",
            "-d",
            `refs/ds-service/bases/${serviceTemplateSource.packageVersion}`,
          );
        }
        await expect(fs.stat(await transactionDir(dir)), where).rejects.toThrow(/ENOENT/);
        expect(await snapshot(dir), where).toEqual(before);
        cases++;
      }
    }
    console.log(`upgrade fault injection: ${cases} cases, calls per op ${JSON.stringify(counts)}`);
  }, 900_000); // one full upgrade per fs call: grows with the template's file count

  it("restores the refs too when recording the new base fails half-way", async () => {
    const dir = await oldProject();
    const before = await snapshot(dir);
    // A stale lock on the per-version ref: fast-import has moved refs/ds-service/base by then.
    const lock = path.join(
      dir,
      `.git/refs/ds-service/bases/${serviceTemplateSource.packageVersion}.lock`,
    );
    await fs.mkdir(path.dirname(lock), { recursive: true });
    await fs.writeFile(lock, "");
    await expect(upgradeProject({ dir })).rejects.toThrow(/recording the new template base failed/);
    await fs.rm(lock);
    expect(await snapshot(dir)).toEqual(before);
  });
});
