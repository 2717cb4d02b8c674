import fs from "node:fs/promises";
import path from "node:path";
import { cliBin, git, listTree, oldProjectRepo, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// Ctrl-C during a real `ds-service upgrade` (the built binary): the upgrade stops, rolls back
// every file and refs/ds-service/* it had changed, and exits 130 saying so — nothing is left
// half-applied and no journal or lock stays behind. So that the signal lands inside the
// transaction every time, a preload slows each write into the project's work tree.

/** Loaded with `node --require`: every fs.promises.writeFile into SLOW_ROOT's work tree waits. */
const slowWrites = `
const fs = require("node:fs");
const fsp = require("node:fs/promises");
const path = require("node:path");
const roots = [process.env.SLOW_ROOT, fs.realpathSync(process.env.SLOW_ROOT)].map((r) => r + path.sep);
const writeFile = fsp.writeFile;
fsp.writeFile = async function (file, ...rest) {
  const name = String(file);
  if (roots.some((r) => name.startsWith(r)) && !name.includes(path.sep + ".git" + path.sep)) {
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return writeFile.call(this, file, ...rest);
};
`;

/** Work-tree bytes and each refs/ds-service/* ref by the tree it holds. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = (await fs.readFile(path.join(dir, f))).toString("base64");
  }
  const refs = await git(dir, "for-each-ref", "--format=%(refname)", "refs/ds-service/");
  for (const ref of refs.split("\n").filter(Boolean)) {
    out[ref] = await git(dir, "rev-parse", `${ref}^{tree}`);
  }
  return out;
}

/** Resolves once the upgrade's journal exists: its transaction has begun writing. */
async function journalAppears(dir: string, child: { exitCode?: number | null }): Promise<void> {
  const journal = path.join(dir, ".git/ds-service/txn/journal.json");
  for (let waited = 0; waited < 60_000; waited += 2) {
    if (await fs.stat(journal).then(Boolean, () => false)) return;
    if (child.exitCode !== null && child.exitCode !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("Ctrl-C during an upgrade (built bin)", () => {
  it("rolls back what it wrote and exits 130, the project exactly as before", async () => {
    const preload = path.join(await testdir({ "slow-writes.cjs": slowWrites }), "slow-writes.cjs");
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    const child = execa(process.execPath, ["--require", preload, cliBin, "upgrade", "--cwd", dir], {
      env: { NO_COLOR: "1", SLOW_ROOT: dir },
      reject: false,
      stdin: "ignore",
      timeout: 120_000,
    });
    await journalAppears(dir, child);
    expect(child.exitCode ?? null, "the upgrade ended before its transaction began").toBeNull();
    child.kill("SIGINT");
    const r = await child;

    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(r.stderr).toMatch(
      /upgrade cancelled: every file and template ref it had changed was restored/,
    );
    expect(await snapshot(dir)).toEqual(before);
    expect(await git(dir, "status", "--porcelain")).toBe("");
    await expect(fs.stat(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);

    // Nothing was left to recover: the next upgrade runs as on a fresh clone.
    const again = await execa(process.execPath, [cliBin, "upgrade", "--cwd", dir], {
      env: { NO_COLOR: "1" },
      reject: false,
    });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(again.stdout).not.toMatch(/Restored/);
  }, 180_000);
});
