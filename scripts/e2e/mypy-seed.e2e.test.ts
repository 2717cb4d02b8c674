import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runCli } from "@ds-service/test-utils";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A project's first `make typecheck` starts from the mypy cache a passing run of another
// project left on the machine (the Makefile's MYPY_SEEDS), which is most of what a first
// `make check` saves. The copy must be used, and it must hide nothing: a module both projects
// have (tests/conftest.py), broken in the second, is reported although the cache holds the
// first project's passing version of it. Two fresh projects of different names, made here:
// the shared penguins projects get optional groups synced into them by other files, and a
// seed is keyed by the libraries installed.

let root = "";
let seeds = "";

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(await fs.realpath(os.tmpdir()), "ds-service-mypy-seed-"));
  seeds = path.join(root, "seeds");
});

afterAll(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
});

async function generate(name: string): Promise<string> {
  const created = await runCli(["new", name, "--yes"], { cwd: root, env: { CI: "true" } });
  expect(created.exitCode, created.stderr).toBe(0);
  return path.join(root, name);
}

const typecheck = (project: string) =>
  execa("make", ["typecheck", `MYPY_SEEDS=${seeds}`], { cwd: project, all: true, reject: false });

describe("make typecheck's cache from an earlier project", () => {
  it("a first run starts from a passing project's cache and still finds an error in a module both have", async () => {
    const churn = await generate("churn-model");
    const first = await typecheck(churn);
    expect(first.exitCode, first.all).toBe(0);
    expect(first.all).not.toContain("starting from");
    expect(await fs.readdir(seeds)).toHaveLength(1);

    const fraud = await generate("fraud-model");
    const conftest = path.join(fraud, "tests/conftest.py");
    await fs.appendFile(conftest, 'WRONG: int = "not an int"\n');
    const broken = await typecheck(fraud);
    expect(broken.all).toContain(`mypy: starting from the cache a passing run left in ${seeds}`);
    expect(broken.exitCode, broken.all).not.toBe(0);
    expect(broken.all).toMatch(/tests\/conftest\.py:\d+: error: Incompatible types in assignment/);

    await execa("git", ["checkout", "--", "tests/conftest.py"], { cwd: fraud });
    const mended = await typecheck(fraud);
    expect(mended.exitCode, mended.all).toBe(0);
    // The same libraries and mypy.ini: still the one copy.
    expect(await fs.readdir(seeds)).toHaveLength(1);
  });
});
