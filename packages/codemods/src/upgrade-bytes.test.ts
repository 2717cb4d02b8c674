import fs from "node:fs/promises";
import path from "node:path";
import { manifestPath, planProject, readManifest, sha256 } from "@ds-service/generator";
import {
  commitAll,
  git,
  oldProjectRepo,
  repoRoot,
  templateV010Project,
} from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { upgradeProject } from "./run-upgrade.js";
import { answers, projectOn, extraTemplate as template } from "./testing/extra-template.js";

// Upgrades treat files as bytes. The template does not ship a binary file yet, so a later
// version that does is made here as one more package of files rendered next to the real ones.

const read = (dir: string, rel: string) => fs.readFile(path.join(dir, rel));
const readText = (dir: string, rel: string) => fs.readFile(path.join(dir, rel), "utf8");

/** A PNG's signature and header: 0x89 opens no UTF-8 sequence, then NULs, CRLF, C3 28, FF FE. */
function png(variant: number): Buffer {
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex"),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe, variant, 0x00, 0x0d, 0x0a, 0x0a, 0xe2, 0x82]),
  ]);
}

describe("binary files", () => {
  it("replaces an unedited one with the template's bytes, and the manifest hashes them", async () => {
    const dir = await projectOn(template("1.0.0", { "assets/logo.png": png(1) }));
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/logo.png": png(2) }),
    });
    expect(result.conflicts).toEqual([]);
    expect((await read(dir, "assets/logo.png")).equals(png(2))).toBe(true);
    const manifest = await readManifest(dir);
    expect(manifest.files["assets/logo.png"]?.sha256).toBe(sha256(png(2)));
    expect(result.diff).toContain("Binary files a/assets/logo.png and b/assets/logo.png differ");
    const base = await execa("git", ["cat-file", "blob", "refs/ds-service/base:assets/logo.png"], {
      cwd: dir,
      encoding: "buffer",
    });
    expect(Buffer.from(base.stdout).equals(png(2))).toBe(true);

    await commitAll(dir);
    const again = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/logo.png": png(2) }),
    });
    expect(again.changed).toEqual([]);
  });

  it("changed on both sides: a conflict keeping yours at the path and the template's beside it", async () => {
    const dir = await projectOn(template("1.0.0", { "assets/logo.png": png(1) }));
    await fs.writeFile(path.join(dir, "assets/logo.png"), png(3));
    await commitAll(dir);
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/logo.png": png(2) }),
    });
    const beside = "assets/logo.png.ds-service-theirs";
    expect(JSON.parse(JSON.stringify(result)).conflicts).toEqual([
      {
        path: "assets/logo.png",
        reason: `a binary file changed here and by the template: yours is kept, the template's is ${beside}`,
        theirs: beside,
      },
    ]);
    expect((await read(dir, "assets/logo.png")).equals(png(3))).toBe(true);
    expect((await read(dir, beside)).equals(png(2))).toBe(true);
    expect((await readManifest(dir)).files["assets/logo.png"]?.sha256).toBe(sha256(png(2)));
  });

  it("added by the template where the project has its own: both kept side by side", async () => {
    const dir = await projectOn(template("1.0.0", {}));
    await fs.mkdir(path.join(dir, "assets"));
    await fs.writeFile(path.join(dir, "assets/logo.png"), png(3));
    await commitAll(dir);
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/logo.png": png(2) }),
    });
    expect(result.conflicts.map((c) => [c.path, c.theirs])).toEqual([
      ["assets/logo.png", "assets/logo.png.ds-service-theirs"],
    ]);
    expect((await read(dir, "assets/logo.png")).equals(png(3))).toBe(true);
    expect((await read(dir, "assets/logo.png.ds-service-theirs")).equals(png(2))).toBe(true);
  });

  it("never line-merges a known binary extension, even when its bytes happen to be text", async () => {
    const dir = await projectOn(template("1.0.0", { "assets/icon.png": "aaa\nbbb\n" }));
    await fs.writeFile(path.join(dir, "assets/icon.png"), "AAA\nbbb\n");
    await commitAll(dir);
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/icon.png": "aaa\nbbb\nccc\n" }),
    });
    expect(result.conflicts.map((c) => c.path)).toEqual(["assets/icon.png"]);
    expect(await readText(dir, "assets/icon.png")).toBe("AAA\nbbb\n");
    expect(await readText(dir, "assets/icon.png.ds-service-theirs")).toBe("aaa\nbbb\nccc\n");
  });
});

describe("line endings and the final newline (upgrading the 0.1.0 fixture)", () => {
  const insertTeamLine = (readme: string, eol: string) =>
    readme.replace(`# churn-model${eol}`, `# churn-model${eol}${eol}Owned by the risk team.${eol}`);
  const loneLf = /(?<!\r)\n/;

  it("keeps CRLF through a clean 3-way merge", async () => {
    const dir = await oldProjectRepo();
    const readme = path.join(dir, "README.md");
    const crlf = (await fs.readFile(readme, "utf8")).replaceAll("\n", "\r\n");
    await fs.writeFile(readme, insertTeamLine(crlf, "\r\n"));
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts).toEqual([]);
    const merged = await fs.readFile(readme, "utf8");
    expect(merged).toContain("Owned by the risk team.\r\n");
    expect(merged).toContain("## Tool configuration\r\n"); // the template's new section
    expect(merged).not.toMatch(loneLf);
  });

  it("writes a conflict in the project's CRLF line endings", async () => {
    const dir = await oldProjectRepo();
    const readme = path.join(dir, "README.md");
    const text = await fs.readFile(readme, "utf8");
    await fs.writeFile(
      readme,
      text.replace("(template\n0.1.0).", "(template\n0.1.0, ours).").replaceAll("\n", "\r\n"),
    );
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts.map((c) => c.path)).toEqual(["README.md"]);
    const conflicted = await fs.readFile(readme, "utf8");
    expect(conflicted).toContain("<<<<<<< yours\r\n0.1.0, ours).\r\n=======\r\n");
    expect(conflicted).not.toMatch(loneLf);
  });

  it("keeps a missing final newline while the template appends to the file", async () => {
    const dir = await oldProjectRepo();
    const rel = "src/churn_model/serve/settings.py"; // the template adds a last field
    const text = await readText(dir, rel);
    await fs.writeFile(path.join(dir, rel), text.replace(/\n$/, ""));
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts).toEqual([]);
    const fresh = (await planProject(answers, dir)).get(rel)?.content.toString("utf8");
    expect(fresh).toMatch(/graceful_shutdown_seconds: int = .*\n$/);
    expect(await readText(dir, rel)).toBe(fresh?.replace(/\n$/, ""));
  });

  it("without a template base, takes the template's change into a file only turned to CRLF", async () => {
    const dir = await oldProjectRepo({ base: false });
    const readme = path.join(dir, "README.md");
    await fs.writeFile(readme, (await fs.readFile(readme, "utf8")).replaceAll("\n", "\r\n"));
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts).toEqual([]);
    const fresh = (await planProject(answers, dir)).get("README.md")?.content.toString("utf8");
    expect(await fs.readFile(readme, "utf8")).toBe(fresh?.replaceAll("\n", "\r\n"));
  });
});

describe("deletes", () => {
  const v1 = template("1.0.0", {
    "notes/changed.md": "one\n",
    "notes/edited.md": "one\n",
    "notes/unedited.md": "one\n",
    "notes/yours.md": { content: "one\n", ownership: "once" },
  });
  const v2 = template("2.0.0", { "notes/changed.md": "two\n" });

  it("reports every file one side deleted, and deletes only what was unedited", async () => {
    const dir = await projectOn(v1);
    await fs.writeFile(path.join(dir, "notes/edited.md"), "one, edited\n");
    await fs.writeFile(path.join(dir, "notes/yours.md"), "one, ours\n");
    await fs.rm(path.join(dir, "notes/changed.md"));
    await commitAll(dir);
    const result = await upgradeProject({ dir, sources: v2 });

    expect(JSON.parse(JSON.stringify(result)).deletions).toEqual([
      {
        path: "notes/changed.md",
        kind: "user-deleted-changed",
        reason:
          "deleted here, but changed by the template: left deleted (`git show refs/ds-service/base:notes/changed.md` has the template's version)",
      },
      {
        path: "notes/edited.md",
        kind: "template-deleted-edited",
        reason: "removed by the template, but edited here: kept",
      },
      {
        path: "notes/unedited.md",
        kind: "template-deleted",
        reason: "removed by the template and unedited here: deleted",
      },
      {
        path: "notes/yours.md",
        kind: "template-deleted-edited",
        reason: "removed by the template, but edited here: kept",
      },
    ]);
    // An edited file the template dropped needs a decision, unless it is the project's own.
    expect(result.conflicts).toEqual([
      { path: "notes/edited.md", reason: "removed by the template, but edited here (kept)" },
    ]);
    expect(await readText(dir, "notes/edited.md")).toBe("one, edited\n");
    expect(await readText(dir, "notes/yours.md")).toBe("one, ours\n");
    await expect(fs.access(path.join(dir, "notes/unedited.md"))).rejects.toThrow();
    await expect(fs.access(path.join(dir, "notes/changed.md"))).rejects.toThrow();
    const base = await git(dir, "show", "refs/ds-service/base:notes/changed.md");
    expect(base).toBe("two");
    expect(Object.keys((await readManifest(dir)).files)).not.toContain("notes/unedited.md");
    expect(await readText(dir, manifestPath)).toContain('"@ds-service/test-extras": "2.0.0"');
  });
});

describe("manifests written by earlier versions", () => {
  it.each([
    templateV010Project,
    path.join(repoRoot, "scripts/e2e/fixtures/template-0.3.0-gitlab/churn-model"),
  ])("hash every file's bytes as they are on disk: %s", async (dir) => {
    const manifest = await readManifest(dir);
    const mismatched: string[] = [];
    for (const [rel, entry] of Object.entries(manifest.files)) {
      if (sha256(await read(dir, rel)) !== entry.sha256) mismatched.push(rel);
    }
    expect(Object.keys(manifest.files).length).toBeGreaterThan(50);
    expect(mismatched).toEqual([]);
  });
});
