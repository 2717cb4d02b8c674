import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { oldProjectRepo, runCli, templateV010Project, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const fixture = templateV010Project;
const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd });

const oldProject = () => oldProjectRepo();

describe("ds-service upgrade / check (built bin)", () => {
  it("check: 0 on a fresh project, 1 naming an edited managed file", async () => {
    const cwd = await testdir();
    expect((await runCli(["new", "proj", "--no-install"], { cwd })).exitCode).toBe(0);
    const ok = await runCli(["check", "--cwd", "proj"], { cwd });
    expect(ok.exitCode, ok.stderr).toBe(0);
    // From any subdirectory, as git works: the project is found above it.
    const inside = await runCli(["check"], { cwd: path.join(cwd, "proj/src/proj/core") });
    expect(inside.exitCode, inside.stderr).toBe(0);
    await fs.appendFile(path.join(cwd, "proj/.editorconfig"), "# mine\n");
    const drift = await runCli(["check", "--cwd", "proj", "--json"], { cwd });
    expect(drift.exitCode).toBe(1);
    expect(drift.stderr).toContain("managed file edited: .editorconfig");
    expect(JSON.parse(drift.stdout).drift).toEqual([{ path: ".editorconfig", reason: "edited" }]);
  });

  it("check: 1 when a newer template exists", async () => {
    const r = await runCli(["check", "--cwd", fixture]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      `template ${serviceTemplateSource.packageVersion} is available (project is on 0.1.0)`,
    );
  });

  it("upgrade: a no-op on an up-to-date project", async () => {
    const cwd = await testdir();
    await runCli(["new", "proj", "--no-install"], { cwd });
    const r = await runCli(["upgrade", "--cwd", "proj"], { cwd });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Already up to date/);
    expect((await git(path.join(cwd, "proj"), "status", "--porcelain")).stdout).toBe("");
  });

  it("upgrade: refuses a dirty tree with exit 2, a non-project with exit 2", async () => {
    const dir = await oldProject();
    await fs.appendFile(path.join(dir, "README.md"), "x\n");
    const dirty = await runCli(["upgrade", "--cwd", dir]);
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stderr).toMatch(/uncommitted changes/);
    const empty = await testdir();
    expect((await runCli(["upgrade", "--cwd", empty])).exitCode).toBe(2);
  });

  it("upgrade: --dry-run prints the diff and changes nothing; then upgrades; conflicts exit 1", async () => {
    const dir = await oldProject();
    const dry = await runCli(["upgrade", "--cwd", dir, "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("+holdout_fraction: 0.25");
    expect((await git(dir, "status", "--porcelain")).stdout).toBe("");

    const up = await runCli(["upgrade", "--cwd", dir, "--json"]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({
      from: "0.1.0",
      to: serviceTemplateSource.packageVersion,
      conflicts: [],
    });

    const conflicted = await oldProject();
    const readme = path.join(conflicted, "README.md");
    await fs.writeFile(
      readme,
      (await fs.readFile(readme, "utf8")).replace("0.1.0).", "0.1.0, ours)."),
    );
    await git(conflicted, "commit", "-qam", "edit");
    const r = await runCli(["upgrade", "--cwd", conflicted]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("CONFLICT README.md");
    expect(r.stderr).not.toMatch(/please report/);
  });
});
