import fs from "node:fs/promises";
import path from "node:path";
import {
  addCi,
  adopt,
  manifestPath,
  readManifest,
  sha256,
  ValidationError,
} from "@ds-service/generator";
import { commitAll, git, oldProjectRepo, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { checkProject } from "./check.js";
import { upgradeProject } from "./run-upgrade.js";
import { theirsSuffix } from "./upgrade-file.js";

const pipRepo = {
  "app/__init__.py": "",
  "tests/test_app.py": "def test_ok() -> None:\n    assert True\n",
  "requirements.txt": "pytest\n",
};

/** A committed Python repository that ds-service did not generate. */
async function repo(files: Record<string, string> = pipRepo): Promise<string> {
  const dir = await testdir(files);
  await git(dir, "init", "-q");
  await commitAll(dir, "init");
  return dir;
}

const read = (dir: string, rel: string) => fs.readFile(path.join(dir, rel), "utf8");
const manifestJson = async (dir: string) => JSON.parse(await read(dir, manifestPath));

/**
 * Makes `rel` look as an older CI pack rendered it: `older` on disk (unless the user `edited`
 * it since) and recorded in the manifest, so today's render is a template change for it.
 */
async function asOlderPack(dir: string, rel: string, older: string, edited?: string) {
  const manifest = await manifestJson(dir);
  manifest.files[rel].sha256 = sha256(Buffer.from(older));
  await fs.writeFile(path.join(dir, manifestPath), `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.writeFile(path.join(dir, rel), edited ?? older);
  await commitAll(dir, "older pack");
}

/** The manifest as version 1 wrote it: no origin, no Dockerfile/image-job facts. */
async function asVersion1(dir: string): Promise<void> {
  const { origin: _o, schemaVersion: _v, ci, ...rest } = await manifestJson(dir);
  const { dockerfile: _d, imageJob: _i, ...commands } = ci;
  const v1 = { schemaVersion: 1, ...rest, ci: commands };
  await fs.writeFile(path.join(dir, manifestPath), `${JSON.stringify(v1, null, 2)}\n`);
  await commitAll(dir, "v1 manifest");
}

describe("add ci, then check and upgrade", () => {
  it("check exits clean and upgrade --dry-run has nothing to do", async () => {
    const dir = await repo();
    await addCi({ cwd: dir });
    await commitAll(dir);
    expect(await checkProject(dir)).toMatchObject({ origin: "ci", outdated: false, drift: [] });
    const upgrade = await upgradeProject({ dir, dryRun: true });
    expect(upgrade).toMatchObject({ changed: [], conflicts: [], deletions: [] });
    expect((await upgradeProject({ dir })).changed).toEqual([]);
  });

  it("check reports edited and missing pack files as for a generated project", async () => {
    const dir = await repo();
    await addCi({ cwd: dir });
    await fs.appendFile(path.join(dir, ".github/workflows/ci.yml"), "# ours\n");
    await fs.rm(path.join(dir, "SECURITY.md"));
    expect((await checkProject(dir)).drift).toEqual([
      { path: ".github/workflows/ci.yml", reason: "edited" },
      { path: "SECURITY.md", reason: "missing" },
    ]);
  });

  it("check notices GitLab --beside jobs the repository's pipeline no longer includes", async () => {
    const theirs = "stages: [test]\n\nunit:\n  script:\n    - pytest\n";
    const dir = await repo({ ...pipRepo, ".gitlab-ci.yml": theirs });
    await addCi({ cwd: dir, ci: "gitlab", beside: true });
    await commitAll(dir);
    expect((await checkProject(dir)).drift).toEqual([]);
    // The team tidies its pipeline and drops the include: every managed file is intact.
    await fs.writeFile(path.join(dir, ".gitlab-ci.yml"), theirs);
    expect((await checkProject(dir)).drift).toEqual([
      { path: ".gitlab/ds-service-ci.yml", reason: "unincluded" },
    ]);
    // Included again as a bare path (GitLab's short form): found.
    await fs.writeFile(
      path.join(dir, ".gitlab-ci.yml"),
      `include: /.gitlab/ds-service-ci.yml\n${theirs}`,
    );
    expect((await checkProject(dir)).drift).toEqual([]);
  });

  it("upgrade re-renders the pack: an unedited file follows, an edited one is a conflict", async () => {
    const dir = await repo();
    await addCi({ cwd: dir, ci: "gitlab" });
    await commitAll(dir);
    const gitlab = await read(dir, ".gitlab-ci.yml");
    const security = await read(dir, "SECURITY.md");
    await asOlderPack(dir, ".gitlab-ci.yml", "# the older pipeline\n");
    await asOlderPack(dir, "SECURITY.md", "# older policy\n", "# older policy\nOur own line.\n");

    const result = await upgradeProject({ dir });
    const theirs = `SECURITY.md${theirsSuffix}`;
    expect([...result.changed].sort()).toEqual([manifestPath, ".gitlab-ci.yml", theirs]);
    // Re-rendered from the recorded ci block: the same gitlab pipeline `add ci` wrote.
    expect(await read(dir, ".gitlab-ci.yml")).toBe(gitlab);
    // A pack has no recorded base to merge against: the edited file stays as the user has it,
    // the pack's version beside it, reported as a conflict.
    expect(result.conflicts.map((c) => c.path)).toEqual(["SECURITY.md"]);
    expect(await read(dir, "SECURITY.md")).toBe("# older policy\nOur own line.\n");
    expect(await read(dir, theirs)).toBe(security);
    // The manifest records today's render, so the resolved tree checks clean.
    await fs.writeFile(path.join(dir, "SECURITY.md"), security);
    await fs.rm(path.join(dir, theirs));
    await commitAll(dir, "resolved");
    expect((await checkProject(dir)).drift).toEqual([]);
    expect((await upgradeProject({ dir, dryRun: true })).changed).toEqual([]);
  });

  it("a pack file today's render no longer has is deleted when unedited", async () => {
    const dir = await repo();
    await addCi({ cwd: dir });
    const manifest = await manifestJson(dir);
    const old = "# an older pack's file\n";
    manifest.files[".github/old.yml"] = { ownership: "managed", sha256: sha256(Buffer.from(old)) };
    await fs.writeFile(path.join(dir, manifestPath), JSON.stringify(manifest));
    await fs.writeFile(path.join(dir, ".github/old.yml"), old);
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.deletions).toMatchObject([{ path: ".github/old.yml", kind: "template-deleted" }]);
    expect((await readManifest(dir)).files).not.toHaveProperty([".github/old.yml"]);
  });
});

describe("adopt, then check and upgrade", () => {
  it("checks clean, upgrades as a no-op, and keeps its Makefile as the repository's", async () => {
    const dir = await repo();
    await adopt({ cwd: dir });
    await commitAll(dir);
    expect(await checkProject(dir)).toMatchObject({ origin: "adopted", drift: [] });
    expect((await upgradeProject({ dir, dryRun: true })).changed).toEqual([]);
    // The Makefile is merged, not rendered: an edit to it is no upgrade's business.
    await fs.appendFile(path.join(dir, "Makefile"), "\nours:\n\ttrue\n");
    await asOlderPack(dir, ".editorconfig", "root = true\n");
    const result = await upgradeProject({ dir });
    expect([...result.changed].sort()).toEqual([manifestPath, ".editorconfig"]);
    expect(result.conflicts).toEqual([]);
    expect((await manifestJson(dir)).files.Makefile.ownership).toBe("merged");
  });

  it("after add ci continues where it left off: it rewires the unedited pack", async () => {
    const dir = await repo();
    await addCi({ cwd: dir });
    await commitAll(dir, "add ci");
    const result = await adopt({ cwd: dir });
    expect(result.written).toBe(true);
    expect(result.commands).toMatchObject({ setup: "make setup", check: "make check" });
    expect(await read(dir, ".github/workflows/ci.yml")).toContain("check: make check");
    const manifest = await readManifest(dir);
    expect(manifest).toMatchObject({ origin: "adopted", ci: { check: "make check" } });
    await commitAll(dir, "adopt");
    expect((await checkProject(dir)).drift).toEqual([]);
    expect((await upgradeProject({ dir, dryRun: true })).changed).toEqual([]);
    // add ci again keeps the repository adopted.
    await addCi({ cwd: dir });
    expect((await readManifest(dir)).origin).toBe("adopted");
  });

  it("after add ci still refuses to overwrite a pack file the user edited", async () => {
    const dir = await repo();
    await addCi({ cwd: dir });
    await fs.appendFile(path.join(dir, ".github/workflows/ci.yml"), "# ours\n");
    const error = await adopt({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("-# ours");
    expect(await read(dir, ".github/workflows/ci.yml")).toContain("# ours");
  });

  it("refuses a project ds-service generated", async () => {
    const dir = await oldProjectRepo();
    const error = await addCi({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("run `ds-service upgrade` instead");
  });
});

describe("a version 1 manifest", () => {
  it.each(["add ci", "adopt"] as const)(
    "written by %s migrates, checks, and upgrades to v2",
    async (command) => {
      const dir = await repo({ ...pipRepo, Dockerfile: "FROM python:3.12-slim\n" });
      await (command === "adopt" ? adopt : addCi)({ cwd: dir });
      await commitAll(dir);
      const v2 = await read(dir, manifestPath);
      await asVersion1(dir);
      const origin = command === "adopt" ? "adopted" : "ci";
      expect(await checkProject(dir)).toMatchObject({ origin, drift: [], outdated: false });
      // Nothing to re-render; the manifest alone is rewritten, as version 2, byte for byte.
      const dry = await upgradeProject({ dir, dryRun: true });
      expect(dry).toMatchObject({ changed: [manifestPath], conflicts: [], deletions: [] });
      await upgradeProject({ dir });
      expect(await read(dir, manifestPath)).toBe(v2);
    },
  );

  it("written by new migrates to generated and checks", async () => {
    const dir = await oldProjectRepo();
    expect((await manifestJson(dir)).schemaVersion).toBe(1);
    expect(await checkProject(dir)).toMatchObject({
      origin: "generated",
      templateVersion: "0.1.0",
    });
  });
});
