import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import { repoRoot, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fleetReport, fleetUpgrade } from "./fleet.js";
import { fleetReportHtml } from "./fleet-html.js";
import { baseRef } from "./git.js";

const fixture = path.join(repoRoot, "scripts/e2e/fixtures/template-0.1.0/churn-model");
const git = async (cwd: string, ...args: string[]) =>
  (await execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd }))
    .stdout;

async function repo(
  root: string,
  name: string,
  edit?: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = path.join(root, name);
  await fs.cp(fixture, dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "scaffold");
  await git(dir, "update-ref", baseRef, "HEAD");
  if (edit) {
    await edit(dir);
    await git(dir, "commit", "-qam", "edit");
  }
  return dir;
}

describe("fleetUpgrade", () => {
  it("upgrades each repository on its own branch and reports every outcome", async () => {
    const root = await testdir();
    const plain = await repo(root, "plain");
    const conflicted = await repo(root, "conflicted", async (dir) => {
      const readme = path.join(dir, "README.md");
      await fs.writeFile(
        readme,
        (await fs.readFile(readme, "utf8")).replace("0.1.0).", "0.1.0, ours)."),
      );
    });
    const dirty = await repo(root, "dirty");
    await fs.appendFile(path.join(dirty, "README.md"), "uncommitted\n");
    const notARepo = path.join(root, "not-a-repo");
    await fs.mkdir(notARepo);
    const conflictedBefore = await git(conflicted, "status", "--porcelain");

    const entries = await fleetUpgrade({
      paths: [plain, conflicted, dirty, notARepo],
      concurrency: 2,
    });
    expect(entries.map((e) => [path.basename(e.path), e.status])).toEqual([
      ["plain", "upgraded"],
      ["conflicted", "conflicts"],
      ["dirty", "failed"],
      ["not-a-repo", "failed"],
    ]);

    // One commit on the new branch; the repository is back on main with main untouched.
    const branch = entries[0]?.branch ?? "";
    expect(branch).toBe(`ds-service/upgrade-${serviceTemplateSource.packageVersion}`);
    expect(await git(plain, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(await git(plain, "rev-list", "--count", `main..${branch}`)).toBe("1");
    expect(await git(plain, "status", "--porcelain")).toBe("");
    expect(await git(plain, "show", `${branch}:confs/train.yaml`)).toContain("holdout_fraction");
    expect(await fs.readFile(path.join(plain, "confs/train.yaml"), "utf8")).toContain("test_size");
    expect(entries[1]?.detail).toBe("README.md");
    expect(await git(conflicted, "status", "--porcelain")).toBe(conflictedBefore);

    // Running it again: the branch exists, so nothing is redone.
    const again = await fleetUpgrade({ paths: [plain] });
    expect(again[0]).toMatchObject({ status: "failed", detail: `branch ${branch} already exists` });
  });

  it("reports an up-to-date repository as current", async () => {
    const root = await testdir();
    const dir = await repo(root, "r");
    await git(
      dir,
      "merge",
      "--quiet",
      "--ff-only",
      (await fleetUpgrade({ paths: [dir] }))[0]?.branch ?? "",
    );
    expect((await fleetUpgrade({ paths: [dir] }))[0]?.status).toBe("current");
  });
});

describe("fleetReport", () => {
  it("lists versions and drift, and renders them as escaped HTML", async () => {
    const root = await testdir();
    const edited = await repo(root, "edited<b>", async (dir) => {
      await fs.appendFile(path.join(dir, ".editorconfig"), "# mine\n");
    });
    const rows = await fleetReport([edited, path.join(root, "missing")]);
    expect(rows[0]).toMatchObject({
      templateVersion: "0.1.0",
      outdated: true,
      drift: [".editorconfig (edited)"],
    });
    expect(rows[1]?.error).toBeDefined();
    const html = fleetReportHtml(rows, new Date(0));
    expect(html).toContain("edited&lt;b&gt;");
    expect(html).not.toContain("edited<b>");
    expect(html).toContain("0 of 2 repositories current");
  });
});
