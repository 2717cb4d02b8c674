import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { applyPlan } from "../apply/apply.js";
import { withRepoLock } from "../apply/lock.js";
import { stateDirFor } from "../apply/state-dir.js";
import { BusyError } from "../errors.js";
import { addCi } from "./add-ci.js";
import { adopt } from "./adopt.js";

// `add ci` and `adopt` write through the one applier: under the repository's lock, after
// undoing whatever an interrupted command left.

const repo = {
  "mylib/__init__.py": "",
  "tests/test_add.py": "def test_ok() -> None:\n    assert True\n",
  "requirements-dev.txt": "pytest>=8\n",
  Makefile: "test:\n\tpytest\n",
};

async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) out[f] = await fs.readFile(path.join(dir, f), "utf8");
  return out;
}

describe("add ci and adopt transactions", () => {
  it("refuse with a BusyError, writing nothing, while another command holds the lock", async () => {
    const cwd = await testdir({ ...repo, ".git/HEAD": "ref: refs/heads/main\n" });
    const before = await contents(cwd);
    let outcome: unknown;
    await withRepoLock(await stateDirFor(cwd), "upgrade", async () => {
      outcome = await adopt({ cwd }).catch((error: unknown) => error);
    });
    expect(outcome).toBeInstanceOf(BusyError);
    expect(await contents(cwd)).toEqual(before);
  });

  it("undo a command killed half-way before planning, then apply", async () => {
    const cwd = await testdir({ ...repo, ".git/HEAD": "ref: refs/heads/main\n" });
    const before = await contents(cwd);
    // An earlier command "killed" after its first write: its hook never returns.
    const ops = [
      { path: "Makefile", content: Buffer.from("half-written") },
      { path: ".github/workflows/ci.yml", content: Buffer.from("partial") },
    ];
    const stateDir = await stateDirFor(cwd);
    let killed: () => void = () => undefined;
    const died = new Promise<void>((resolve) => {
      killed = resolve;
    });
    void applyPlan(cwd, ops, {
      stateDir,
      onStep: (step) => {
        if (step !== "write Makefile") return undefined;
        killed();
        return new Promise(() => undefined);
      },
    });
    await died;
    expect(await fs.readFile(path.join(cwd, "Makefile"), "utf8")).toBe("half-written");
    // A dry run reads only: it neither recovers nor takes the lock — and it does not plan
    // against the half-written tree either: it says so, as busy (exit 75).
    for (const dryRun of [addCi, adopt]) {
      const refused = await dryRun({ cwd, dryRun: true }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(BusyError);
      expect((refused as Error).message).toMatch(/interrupted .*half-written.*ds-service check/);
    }
    expect(await fs.readFile(path.join(cwd, "Makefile"), "utf8")).toBe("half-written");

    const result = await addCi({ cwd });
    expect(result.written).toBe(true);
    const after = await contents(cwd);
    expect(after.Makefile).toBe(before.Makefile);
    expect(after[".github/workflows/ci.yml"]).toMatch(/jobs:/);
    expect(after[".git/HEAD"]).toBe(before[".git/HEAD"]);
    expect(Object.keys(after).filter((f) => f.startsWith(".git/"))).toEqual([".git/HEAD"]);
  });
});
