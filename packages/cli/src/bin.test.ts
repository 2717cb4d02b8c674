import fs from "node:fs/promises";
import path from "node:path";
import { cliBin, listTree, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// These spawn the built binary, as a user would: the bundle, its exit codes and its output.
describe("ds-service (built bin)", () => {
  it("is a bundle of ASCII only, which V8 holds as a one-byte string (half of a two-byte one)", async () => {
    const bundle = await fs.readFile(path.join(path.dirname(cliBin), "cli.cjs"));
    const first = bundle.findIndex((byte) => byte > 0x7f);
    expect(first, bundle.subarray(Math.max(0, first - 60), first + 20).toString()).toBe(-1);
  });

  it("creates a project non-interactively and records the answers", async () => {
    const cwd = await testdir();
    const r = await runCli(["new", "churn-model", "--yes", "--no-install", "--no-git"], { cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created churn-model \(classification\)/);
    const manifest = JSON.parse(
      await fs.readFile(path.join(cwd, "churn-model/.ds-service/manifest.json"), "utf8"),
    );
    expect(manifest.answers).toEqual({ name: "churn-model", task: "classification", ci: "github" });
  });

  it("new --dry-run --json: the files it would create as one JSON document, nothing on disk", async () => {
    const cwd = await testdir();
    const r = await runCli(["new", "churn-model", "--yes", "--dry-run", "--json"], { cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ projectDir: path.join(cwd, "churn-model"), dryRun: true });
    expect(doc.files).toContain(".ds-service/manifest.json");
    expect(doc.steps).toEqual([
      { name: "install", status: "planned" },
      { name: "contract", status: "planned" },
      { name: "budgets", status: "planned" },
      { name: "git", status: "planned" },
    ]);
    expect(await listTree(cwd)).toEqual([]);
  });

  it("finishes its work when the reader of its output goes away (`ds-service new … | head -1`)", async () => {
    const cwd = await testdir();
    // `head -1` exits after the first line; the CLI keeps writing into the closed pipe.
    const r = await execa(
      "bash",
      ["-o", "pipefail", "-c", `node ${JSON.stringify(cliBin)} new proj --no-install | head -1`],
      {
        cwd,
        reject: false,
        env: { CI: "true" },
      },
    );
    expect(r.stderr).not.toMatch(/EPIPE/);
    expect(r.exitCode, r.stderr).toBe(0);
    // The generation ran to its end: the first commit exists.
    const log = await execa("git", ["log", "--oneline"], { cwd: path.join(cwd, "proj") });
    expect(log.stdout).toMatch(/ds-service/);
  });

  it.each([
    [["new", "ok-dir", "--name", "Bad_Name"], /Kubernetes DNS label/],
    [["new", "ok-dir", "--name", "../../etc"], /Kubernetes DNS label/],
    [["new", "ok-dir", "--name", "json"], /standard library/],
    [["new", "Bad_Dir"], /--name/],
    [
      ["new", "x", "--task", "clustering"],
      /Allowed choices are auto, classification, binary, multiclass, regression/,
    ],
    [["new"], /missing the project directory/],
    [["new", "x", "--bogus"], /unknown option/],
    [["frobnicate"], /unknown command/],
  ])("refuses %j with exit 2 and writes nothing", async (args, message) => {
    const cwd = await testdir();
    const r = await runCli(args, { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await listTree(cwd)).toEqual([]);
  });

  it("refuses a non-empty target and leaves it as it was", async () => {
    const cwd = await testdir({ "proj/notes.md": "mine" });
    const r = await runCli(["new", "proj", "--no-install", "--no-git"], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
    expect(await listTree(cwd)).toEqual(["proj/notes.md"]);
  });

  it("reads --answers, lets flags win, and resolves paths from --cwd", async () => {
    const cwd = await testdir({
      "sub/answers.json": JSON.stringify({ name: "from-file", task: "regression" }),
    });
    const r = await runCli(
      [
        "new",
        "out",
        "--cwd",
        "sub",
        "--answers",
        "answers.json",
        "--name",
        "from-flag",
        "--no-install",
        "--no-git",
      ],
      { cwd },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const manifest = JSON.parse(
      await fs.readFile(path.join(cwd, "sub/out/.ds-service/manifest.json"), "utf8"),
    );
    expect(manifest.answers).toEqual({ name: "from-flag", task: "regression", ci: "github" });
  });

  it("refuses an --answers file that is not a JSON object", async () => {
    const cwd = await testdir({ "a.json": "[1,2]", "b.json": "{nope" });
    for (const file of ["a.json", "b.json", "missing.json"]) {
      const r = await runCli(["new", "x", "--answers", file, "--no-install", "--no-git"], { cwd });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/--answers/);
    }
    expect(await listTree(cwd)).toEqual(["a.json", "b.json"]);
  });

  it("makes the first commit and keeps the pristine render at refs/ds-service/base", async () => {
    const cwd = await testdir();
    const r = await runCli(["new", "proj", "--no-install"], { cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    const git = (...args: string[]) => execa("git", args, { cwd: path.join(cwd, "proj") });
    expect((await git("status", "--porcelain")).stdout).toBe("");
    expect((await git("rev-list", "--count", "HEAD")).stdout).toBe("1");
    expect((await git("rev-parse", "refs/ds-service/base")).stdout).toBe(
      (await git("rev-parse", "HEAD")).stdout,
    );
  });

  it("gives a project created inside another repository a repository of its own", async () => {
    const outer = await testdir({ ".gitignore": "generated/\n" });
    await execa("git", ["init", "-q"], { cwd: outer });
    const r = await runCli(["new", "generated/proj", "--no-install"], { cwd: outer });
    expect(r.exitCode, r.stderr).toBe(0);
    const inner = path.join(outer, "generated/proj");
    expect((await execa("git", ["rev-parse", "--show-toplevel"], { cwd: inner })).stdout).toBe(
      inner,
    );
    expect((await execa("git", ["rev-list", "--count", "HEAD"], { cwd: inner })).stdout).toBe("1");
  });

  it("prints its version and exits 0", async () => {
    const r = await runCli(["--version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
