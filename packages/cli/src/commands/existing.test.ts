import fs from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { listTree, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { Io } from "../io.js";
import { run } from "../main.js";

function captureIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  const io: Io = {
    cwd,
    env: { CI: "true" },
    stdout: sink(out),
    stderr: sink(err),
    stdinIsTTY: false,
  };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

const repo = {
  "app/__init__.py": "",
  "tests/test_app.py": "def test_ok() -> None:\n    assert True\n",
  "requirements.txt": "pytest\n",
};

describe("ds-service add ci / adopt", () => {
  it("add ci --dry-run reports the detected commands and writes nothing", async () => {
    const cwd = await testdir(repo);
    const { io, out } = captureIo(cwd);
    expect(await run(["add", "ci", "--dry-run"], { io })).toBe(0);
    expect(out()).toContain("Detected: pip, flat layout (app)");
    expect(out()).toContain("CI check: python -m pytest");
    expect(out()).toContain("+ .github/workflows/ci.yml");
    expect(out()).toMatch(/Dry run: 6 file\(s\) would be written/);
    expect(await listTree(cwd)).toEqual(Object.keys(repo).sort());
  });

  it("add ci cancelled (Ctrl-C) before it writes: exit 130, the repository as it was", async () => {
    const cwd = await testdir(repo);
    const { io, err } = captureIo(cwd);
    const controller = new AbortController();
    controller.abort();
    expect(await run(["add", "ci"], { io, signal: controller.signal })).toBe(130);
    expect(err()).toMatch(/cancelled/);
    expect(await listTree(cwd)).toEqual(Object.keys(repo).sort());
  });

  it("takes CI's commands from an answers file, flags winning, and says which were chosen", async () => {
    const cwd = await testdir({
      ...repo,
      "choices.json": JSON.stringify({ python: "3.10", setup: "make deps", check: "tox" }),
    });
    const { io, out } = captureIo(cwd);
    const args = ["add", "ci", "--dry-run", "--answers", "choices.json", "--check", "nox -s tests"];
    expect(await run(args, { io })).toBe(0);
    expect(out()).toContain("CI Python: 3.10 (--python)");
    expect(out()).toContain("CI setup: make deps (--setup)");
    expect(out()).toContain("CI check: nox -s tests (--check)");

    await fs.writeFile(path.join(cwd, "bad.json"), JSON.stringify({ pyhton: "3.10" }));
    const bad = captureIo(cwd);
    expect(await run(["adopt", "--answers", "bad.json"], { io: bad.io })).toBe(2);
    expect(bad.err()).toMatch(
      /unknown key "pyhton" \(add ci and adopt take ci, python, setup, check\)/,
    );
    expect(await listTree(cwd)).toEqual([...Object.keys(repo), "bad.json", "choices.json"].sort());
  });

  it("says what replacing the repo's own workflow drops, refused or forced", async () => {
    const workflow = [
      "on: [push]",
      "jobs:",
      "  style:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - run: ruff format --check .",
      "",
    ].join("\n");
    const cwd = await testdir({ ...repo, ".github/workflows/ci.yml": workflow });
    const refused = captureIo(cwd);
    expect(await run(["add", "ci"], { io: refused.io })).toBe(2);
    expect(refused.err()).toContain(
      '.github/workflows/ci.yml: replacing it drops what the pack does not do:\n  - job "style" no longer reports',
    );
    expect(refused.err()).toContain("  - no longer runs: ruff format --check .");
    const beside = captureIo(cwd);
    expect(await run(["add", "ci", "--beside"], { io: beside.io }), beside.err()).toBe(0);
    expect(beside.out()).toContain("+ .github/workflows/ds-service-ci.yml");
    expect(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")).toBe(workflow);
    const checked = captureIo(cwd);
    expect(await run(["check", "--cwd", cwd], { io: checked.io }), checked.err()).toBe(0);
    const forced = captureIo(cwd);
    expect(await run(["add", "ci", "--force"], { io: forced.io })).toBe(0);
    expect(forced.err()).toContain("  - no longer runs: ruff format --check .");
  });

  it("add ci exits 2 with the diff instead of overwriting, and --force overwrites", async () => {
    const root = await testdir({ "r/SECURITY.md": "mine\n", ...prefixed("r/", repo) });
    const { io, err } = captureIo(root);
    expect(await run(["add", "ci", "--cwd", "r"], { io })).toBe(2);
    expect(err()).toContain("-mine");
    expect(await fs.readFile(path.join(root, "r/SECURITY.md"), "utf8")).toBe("mine\n");
    expect(await run(["add", "ci", "--cwd", "r", "--force"], { io })).toBe(0);
    expect(await fs.readFile(path.join(root, "r/SECURITY.md"), "utf8")).toContain(
      "Security policy",
    );
  });

  it("adopt --dry-run shows the Makefile it would write; adopt writes it", async () => {
    const cwd = await testdir(repo);
    const { io, out } = captureIo(cwd);
    expect(await run(["adopt", "--dry-run"], { io })).toBe(0);
    expect(out()).toContain("+ Makefile");
    expect(await listTree(cwd)).toEqual(Object.keys(repo).sort());
    expect(await run(["adopt"], { io })).toBe(0);
    const makefile = await fs.readFile(path.join(cwd, "Makefile"), "utf8");
    expect(makefile).toContain("check: test");
  });

  it("add ci --dry-run shows each file it would create in full, adopt's dry run too", async () => {
    const cwd = await testdir(repo);
    for (const args of [["add", "ci"], ["adopt"]]) {
      const { io, out } = captureIo(cwd);
      expect(await run([...args, "--dry-run"], { io })).toBe(0);
      expect(out()).toContain("--- /dev/null\n+++ b/.github/workflows/ci.yml\n");
      expect(out()).toMatch(/^\+name: /m);
    }
    expect(await listTree(cwd)).toEqual(Object.keys(repo).sort());
  });

  it("add ci and adopt --json: one document of the layout, the files and the diff", async () => {
    const cwd = await testdir(repo);
    const dry = captureIo(cwd);
    expect(await run(["add", "ci", "--dry-run", "--json"], { io: dry.io }), dry.err()).toBe(0);
    const planned = JSON.parse(dry.out());
    expect(Object.keys(planned)).toEqual([
      "command",
      "dryRun",
      "written",
      "changed",
      "created",
      "updated",
      "unchanged",
      "project",
      "commands",
      "findings",
      "diff",
    ]);
    expect(planned).toMatchObject({
      command: "add ci",
      dryRun: true,
      written: false,
      updated: [],
      unchanged: [],
      project: { packageManager: "pip", layout: "flat", codeDirs: ["app"], repoPytest: null },
      commands: { check: expect.stringContaining("pytest") },
      findings: [],
    });
    expect(planned.created).toContain(".github/workflows/ci.yml");
    expect(planned.changed).toEqual(planned.created);
    expect(planned.diff).toContain("--- /dev/null\n+++ b/.github/workflows/ci.yml\n");
    expect(await listTree(cwd)).toEqual(Object.keys(repo).sort());

    const real = captureIo(cwd);
    expect(await run(["adopt", "--json"], { io: real.io }), real.err()).toBe(0);
    const adopted = JSON.parse(real.out());
    expect(adopted).toMatchObject({ command: "adopt", dryRun: false, written: true });
    expect(adopted.created).toContain("Makefile");
    for (const file of adopted.changed) await fs.access(path.join(cwd, file));
  });

  it("add ci --json: a refusal is a JSON error document, what a replaced CI drops are findings", async () => {
    const workflow =
      "on: [push]\njobs:\n  style:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff format --check .\n";
    const cwd = await testdir({ ...repo, ".github/workflows/ci.yml": workflow });
    const refused = captureIo(cwd);
    expect(await run(["add", "ci", "--json"], { io: refused.io })).toBe(2);
    const error = JSON.parse(refused.out());
    expect(error.error).toMatchObject({ kind: "ValidationError", exitCode: 2 });
    expect(error.error.message).toContain("re-run with --force");
    expect(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")).toBe(workflow);

    const forced = captureIo(cwd);
    expect(await run(["add", "ci", "--force", "--dry-run", "--json"], { io: forced.io })).toBe(0);
    const result = JSON.parse(forced.out());
    expect(result.updated).toEqual([".github/workflows/ci.yml"]);
    expect(result.findings).toContainEqual({
      path: ".github/workflows/ci.yml",
      kind: "ci-loss",
      message: "no longer runs: ruff format --check .",
    });
  });

  it("refuses a directory that is not a Python project with exit 2", async () => {
    const cwd = await testdir({ "README.md": "# hi\n" });
    const { io, err } = captureIo(cwd);
    expect(await run(["add", "ci"], { io })).toBe(2);
    expect(err()).toContain("does not look like a Python project");
  });

  it("refuses a pyproject.toml that is not TOML with exit 2, naming it, and writes nothing", async () => {
    const files = { ...repo, "pyproject.toml": '[project]\nname = "app"\nname = "again"\n' };
    const cwd = await testdir(files);
    const { io, err } = captureIo(cwd);
    expect(await run(["add", "ci"], { io })).toBe(2);
    expect(err()).toContain(`${path.join(cwd, "pyproject.toml")} is not valid TOML`);
    expect(err()).toMatch(/redefine/);
    expect(await listTree(cwd)).toEqual(Object.keys(files).sort());
  });
});

describe("a repository add ci or adopt manages", () => {
  const commit = (cwd: string, message: string) =>
    execa(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", message],
      {
        cwd,
      },
    );

  it.each([
    { name: "add ci", steps: [["add", "ci"]] },
    { name: "adopt", steps: [["adopt"]] },
    { name: "add ci, then adopt over it", steps: [["add", "ci"], ["adopt"]] },
  ])("$name: check exits 0 and upgrade --dry-run has nothing to do", async ({ steps }) => {
    const cwd = await testdir(repo);
    await execa("git", ["init", "-q"], { cwd });
    const { io, out, err } = captureIo(cwd);
    for (const step of steps) {
      expect(await run(step, { io }), err()).toBe(0);
      await execa("git", ["add", "-A"], { cwd });
      await commit(cwd, step.join(" "));
    }
    expect(await run(["check"], { io }), err()).toBe(0);
    expect(out()).toContain("OK: CI pack");
    expect(await run(["upgrade", "--dry-run"], { io }), err()).toBe(0);
    expect(out()).toContain("nothing to change");
    expect(err()).toBe("");
  });

  it("check exits 1 naming a managed pack file the user edited", async () => {
    const cwd = await testdir(repo);
    const { io, err } = captureIo(cwd);
    expect(await run(["add", "ci"], { io })).toBe(0);
    await fs.appendFile(path.join(cwd, "SECURITY.md"), "ours\n");
    expect(await run(["check"], { io })).toBe(1);
    expect(err()).toContain("managed file edited: SECURITY.md");
  });
});

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}${k}`, v]));
}
