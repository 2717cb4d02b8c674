import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { penguinsMass, penguinsSpecies } from "./shared.js";

// A project's first `make typecheck` starts from the mypy cache a passing run of another
// project left on the machine (the Makefile's MYPY_SEEDS), which is most of what a first
// `make check` saves. The copy must be used, and it must hide nothing: a module both projects
// have (tests/conftest.py), broken in the second, is reported although the cache holds the
// first project's passing version of it. The two penguins projects share their libraries.

let seeds = "";

beforeAll(async () => {
  seeds = await fs.mkdtemp(path.join(await fs.realpath(os.tmpdir()), "ds-service-mypy-seeds-"));
});

afterAll(async () => {
  if (seeds) await fs.rm(seeds, { recursive: true, force: true });
});

const typecheck = (project: string) =>
  execa("make", ["typecheck", `MYPY_SEEDS=${seeds}`], { cwd: project, all: true, reject: false });

describe("make typecheck's cache from an earlier project", () => {
  it("a first run starts from a passing project's cache and still finds an error in a module both have", async () => {
    // Shared projects come without a .mypy_cache (./shared.ts), but other files sync optional
    // groups into their virtualenvs (ray, batch), and a seed is keyed by the installed
    // libraries: an exact `uv sync` gives both the locked default set again.
    const species = await penguinsSpecies();
    const mass = await penguinsMass();
    for (const project of [species, mass])
      await execa("uv", ["sync", "--locked"], { cwd: project, env: { UV_NO_PROGRESS: "1" } });
    const first = await typecheck(species);
    expect(first.exitCode, first.all).toBe(0);
    expect(first.all).not.toContain("starting from");
    expect(await fs.readdir(seeds)).toHaveLength(1);

    const conftest = path.join(mass, "tests/conftest.py");
    await fs.appendFile(conftest, 'WRONG: int = "not an int"\n');
    try {
      const broken = await typecheck(mass);
      expect(broken.all).toContain(`mypy: starting from the cache a passing run left in ${seeds}`);
      expect(broken.exitCode, broken.all).not.toBe(0);
      expect(broken.all).toMatch(
        /tests\/conftest\.py:\d+: error: Incompatible types in assignment/,
      );
    } finally {
      await execa("git", ["checkout", "--", "tests/conftest.py"], { cwd: mass });
    }
    const mended = await typecheck(mass);
    expect(mended.exitCode, mended.all).toBe(0);
    // The same libraries and mypy.ini: still the one copy.
    expect(await fs.readdir(seeds)).toHaveLength(1);
  });
});
