import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { git, listTree, oldProjectRepo } from "@ds-service/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { baseRef } from "./git.js";
import { upgradeProject } from "./run-upgrade.js";
import { recoverUpgrade, transactionDir } from "./upgrade-txn.js";

// Failure injection at the write steps of a real upgrade of the 0.1.0 fixture: whatever step
// fails, the work tree and refs/ds-service/* are byte for byte what they were, and no journal is
// left behind. The one boundary mocked is node:fs/promises, to make exactly one call fail.
// A run of calls from one line of code (a loop over the template's files) is one code path:
// its first, middle and last calls fail, and every call from another site (chosenCalls).
// FAULT_CASES=all fails every call instead (one full upgrade per call: ~15 minutes).

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

/** Where the current fs call comes from: every ds-service frame of its stack (file and line). */
function callSite(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  return frames
    .filter((f) => /packages\/[^/]+\/(src|dist)\//.test(f) && !f.includes("upgrade-faults.test"))
    .map((f) => f.replace(/^\s*at\s+(async\s+)?/, "").replace(/:\d+\)?$/, ""))
    .join(" < ");
}

/** Counts calls of `op` and records each call's site; when `failAt` is set, that call (1-based) fails with EIO. */
function inject(op: Op, failAt?: number): { calls: () => number; sites: string[] } {
  let calls = 0;
  const sites: string[] = [];
  const original = fs[op] as (...args: unknown[]) => Promise<unknown>;
  vi.spyOn(fs, op).mockImplementation(((...args: unknown[]) => {
    calls++;
    if (failAt === undefined) sites.push(callSite());
    if (calls === failAt) {
      return Promise.reject(
        Object.assign(new Error(`injected EIO on ${op} #${calls}`), { code: "EIO" }),
      );
    }
    return original.apply(fs, args);
  }) as never);
  return { calls: () => calls, sites };
}

/**
 * Which calls (1-based) to fail: every call, or, for each run of consecutive calls from one
 * site, its first, middle and last — the code path is the same for the calls in between.
 */
function chosenCalls(sites: readonly string[], all: boolean): number[] {
  if (all) return sites.map((_, i) => i + 1);
  const chosen = new Set<number>();
  let start = 0;
  for (let i = 1; i <= sites.length; i++) {
    if (i < sites.length && sites[i] === sites[start]) continue;
    const end = i - 1; // the run is sites[start..end]
    for (const k of [start, Math.floor((start + end) / 2), end]) chosen.add(k + 1);
    start = i;
  }
  return [...chosen].sort((a, b) => a - b);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("upgrade fault injection", () => {
  it("restores files and refs byte for byte whichever fs call of the upgrade fails", async () => {
    // How many calls of each kind a clean upgrade makes.
    const counts = {} as Record<Op, number>;
    const failing = {} as Record<Op, number[]>;
    for (const op of ops) {
      const dir = await oldProject();
      const counter = inject(op);
      await upgradeProject({ dir });
      counts[op] = counter.calls();
      failing[op] = chosenCalls(counter.sites, process.env.FAULT_CASES === "all");
      vi.restoreAllMocks();
    }
    expect(counts.writeFile).toBeGreaterThan(3);

    let cases = 0;
    const dir = await oldProject();
    const before = await snapshot(dir);
    for (const op of ops) {
      for (const k of failing[op]) {
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
    console.log(
      `upgrade fault injection: ${cases} cases, calls per op ${JSON.stringify(counts)}, ` +
        `failed ${JSON.stringify(Object.fromEntries(ops.map((op) => [op, failing[op].length])))}`,
    );
  }, 900_000); // one full upgrade per failed call (FAULT_CASES=all: one per fs call)

  it("chooses the first, middle and last call of each run of calls from one site", () => {
    const sites = ["a", "b", "b", "b", "b", "b", "c", "b"];
    expect(chosenCalls(sites, false)).toEqual([1, 2, 4, 6, 7, 8]);
    expect(chosenCalls(sites, true)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(chosenCalls([], false)).toEqual([]);
  });

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
