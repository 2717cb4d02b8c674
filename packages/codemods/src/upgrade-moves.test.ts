import fs from "node:fs/promises";
import path from "node:path";
import { planProject, readManifest, sha256 } from "@ds-service/generator";
import { commitAll } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { upgradeProject } from "./run-upgrade.js";
import { answers, projectOn, extraTemplate as template } from "./testing/extra-template.js";

// A template version that moves a file, made as one more package rendered next to the real
// ones (as the binary tests do), upgraded in a real git repository.

const readText = (dir: string, rel: string) => fs.readFile(path.join(dir, rel), "utf8");
const exists = (dir: string, rel: string) =>
  fs.access(path.join(dir, rel)).then(
    () => true,
    () => false,
  );

/** A module long enough that one changed line leaves it well above the similarity bar. */
const helpers = (header: string, body = "    return x") =>
  [
    header,
    "",
    "def one(x):",
    body,
    "",
    "",
    "def two(x):",
    "    return 2 * x",
    "",
    "",
    "def three(x):",
    "    return 3 * x",
    "",
  ].join("\n");

const oldPath = "src/__package__/helpers.py";
const newPath = "src/__package__/utils/helpers.py";
const [oldOut, newOut] = ["src/churn_model/helpers.py", "src/churn_model/utils/helpers.py"];
const v1 = template("1.0.0", { [oldPath]: helpers('"""Helpers."""') });
const v2Files = { [newPath]: helpers('"""Helpers, now in utils."""') };
const declared = [{ version: "2.0.0", from: oldPath, to: newPath }];

describe("a file the template moved", () => {
  it("declared: the edit is merged in at the new path, and no orphan stays behind", async () => {
    const dir = await projectOn(v1);
    await fs.writeFile(path.join(dir, oldOut), helpers('"""Helpers."""', "    return x + 1"));
    await commitAll(dir);
    const v2 = template("2.0.0", v2Files, declared);
    const result = await upgradeProject({ dir, sources: v2 });

    expect(result.conflicts).toEqual([]);
    expect(JSON.parse(JSON.stringify(result)).moves).toEqual([
      {
        from: oldOut,
        to: newOut,
        kind: "declared",
        reason: "moved by the template: your edit went with it",
      },
    ]);
    expect(await readText(dir, newOut)).toBe(
      helpers('"""Helpers, now in utils."""', "    return x + 1"),
    );
    expect(await exists(dir, oldOut)).toBe(false);
    expect(result.deletions).toEqual([]);
    const manifest = await readManifest(dir);
    expect(Object.keys(manifest.files)).toContain(newOut);
    expect(Object.keys(manifest.files)).not.toContain(oldOut);

    await commitAll(dir);
    expect((await upgradeProject({ dir, sources: v2 })).changed).toEqual([]);
  });

  it("a declared move is carried even when the template rewrote the file past recognition", async () => {
    const dir = await projectOn(template("1.0.0", { "notes/a.md": "alpha\nbeta\ngamma\n" }));
    await fs.writeFile(path.join(dir, "notes/a.md"), "alpha\nbeta\ngamma\nours\n");
    await commitAll(dir);
    const v2 = template("2.0.0", { "docs/b.md": "ALPHA\nbeta\ngamma\n" }, [
      { version: "2.0.0", from: "notes/a.md", to: "docs/b.md" },
    ]);
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.moves.map((m) => [m.from, m.to, m.kind])).toEqual([
      ["notes/a.md", "docs/b.md", "declared"],
    ]);
    expect(await readText(dir, "docs/b.md")).toBe("ALPHA\nbeta\ngamma\nours\n");
    expect(await exists(dir, "notes/a.md")).toBe(false);
  });

  it("undeclared: detected by similarity (git's rename detection) and merged the same way", async () => {
    const dir = await projectOn(v1);
    await fs.writeFile(path.join(dir, oldOut), helpers('"""Helpers."""', "    return x + 1"));
    await commitAll(dir);
    const result = await upgradeProject({ dir, sources: template("2.0.0", v2Files) });

    expect(result.conflicts).toEqual([]);
    expect(result.moves).toHaveLength(1);
    const [move] = result.moves;
    expect(move).toMatchObject({ from: oldOut, to: newOut, kind: "detected" });
    expect(move?.similarity).toBeGreaterThanOrEqual(60);
    expect(move?.reason).toMatch(/^moved by the template \(detected: \d+ % similar\)/);
    expect(await readText(dir, newOut)).toContain("return x + 1");
    expect(await readText(dir, newOut)).toContain("now in utils");
    expect(await exists(dir, oldOut)).toBe(false);
  });

  it("unedited: moved, the new path holds the template's bytes exactly", async () => {
    const dir = await projectOn(v1);
    const result = await upgradeProject({ dir, sources: template("2.0.0", v2Files, declared) });
    expect(result.moves.map((m) => m.reason)).toEqual([
      "moved by the template: unedited here: moved",
    ]);
    const fresh = await planProject(answers, dir, template("2.0.0", v2Files, declared));
    expect(await readText(dir, newOut)).toBe(fresh.get(newOut)?.content.toString("utf8"));
    expect(await exists(dir, oldOut)).toBe(false);
  });

  it("an edit in the same place as the template's: a conflict at the new path", async () => {
    const dir = await projectOn(v1);
    await fs.writeFile(path.join(dir, oldOut), helpers('"""Our helpers."""'));
    await commitAll(dir);
    const result = await upgradeProject({ dir, sources: template("2.0.0", v2Files, declared) });

    expect(result.conflicts).toEqual([
      { path: newOut, reason: "edited here and changed by the template in the same place" },
    ]);
    expect(result.moves.map((m) => m.reason)).toEqual([
      `moved by the template: your edit went with it, see the conflict at ${newOut}`,
    ]);
    const merged = await readText(dir, newOut);
    expect(merged).toContain('<<<<<<< yours\n"""Our helpers."""\n');
    expect(merged).toContain('=======\n"""Helpers, now in utils."""\n>>>>>>> template');
    expect(await exists(dir, oldOut)).toBe(false);
  });

  it("a file of the project's own (once) goes to the new path as the project has it", async () => {
    const once = (content: string) => ({ content, ownership: "once" as const });
    const dir = await projectOn(template("1.0.0", { [oldPath]: once(helpers("# v1")) }));
    await fs.writeFile(path.join(dir, oldOut), helpers("# ours"));
    await commitAll(dir);
    const v2 = template("2.0.0", { [newPath]: once(helpers("# v2")) }, declared);
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.conflicts).toEqual([]);
    expect(await readText(dir, newOut)).toBe(helpers("# ours"));
    expect(await exists(dir, oldOut)).toBe(false);
    // The manifest records the template's version, so `check` and the next upgrade see the edit.
    const manifest = await readManifest(dir);
    expect(manifest.files[newOut]?.sha256).toBe(sha256(Buffer.from(helpers("# v2"))));
  });

  it("a binary file changed on both sides: yours at the new path, the template's beside it", async () => {
    // A PNG signature: 0x89 opens no UTF-8 sequence, so these bytes are never text.
    const png = (n: number) =>
      Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.alloc(64, n)]);
    const dir = await projectOn(template("1.0.0", { "assets/logo.png": png(1) }));
    await fs.writeFile(path.join(dir, "assets/logo.png"), png(3));
    await commitAll(dir);
    const moved = [{ version: "2.0.0", from: "assets/logo.png", to: "static/logo.png" }];
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "static/logo.png": png(2) }, moved),
    });
    expect(result.conflicts.map((c) => [c.path, c.theirs])).toEqual([
      ["static/logo.png", "static/logo.png.ds-service-theirs"],
    ]);
    expect((await fs.readFile(path.join(dir, "static/logo.png"))).equals(png(3))).toBe(true);
    expect(
      (await fs.readFile(path.join(dir, "static/logo.png.ds-service-theirs"))).equals(png(2)),
    ).toBe(true);
    expect(await exists(dir, "assets/logo.png")).toBe(false);
  });

  it("a dropped file and an unrelated new one are not a move", async () => {
    const dir = await projectOn(template("1.0.0", { "notes/a.md": "alpha\nbeta\ngamma\n" }));
    await fs.writeFile(path.join(dir, "notes/a.md"), "alpha\nbeta\ngamma\nours\n");
    await commitAll(dir);
    const v2 = template("2.0.0", { "docs/b.md": "something\nelse\nentirely\n" });
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.moves).toEqual([]);
    expect(result.deletions.map((d) => [d.path, d.kind])).toEqual([
      ["notes/a.md", "template-deleted-edited"],
    ]);
  });

  // Found by upgrade.property.test.ts (seed 915146896): a .png whose bytes were text paired
  // with a new text file, and the user's edit of the image was merged into it.
  it("an undeclared binary file is never paired by similarity: the edited one stays put", async () => {
    const dir = await projectOn(template("1.0.0", { "assets/plot.png": "  x = 1\na" }));
    await fs.writeFile(path.join(dir, "assets/plot.png"), "a");
    await commitAll(dir);
    const result = await upgradeProject({
      dir,
      sources: template("2.0.0", { "assets/plot.txt": "  x = 1\nb\n" }),
    });
    expect(result.moves).toEqual([]);
    expect(await readText(dir, "assets/plot.png")).toBe("a");
    expect(await readText(dir, "assets/plot.txt")).toBe("  x = 1\nb\n");
  });

  // Found by upgrade.property.test.ts (seed 946175171): a file deleted here (and by the
  // template) was paired by similarity with a new one the project had made itself, and reported
  // as "moved by the template: your edit went with it" — with no edit to carry.
  it("a file deleted here is not paired by similarity: the template's new file is just new", async () => {
    const dir = await projectOn(v1);
    await fs.rm(path.join(dir, oldOut));
    await commitAll(dir);
    const result = await upgradeProject({ dir, sources: template("2.0.0", v2Files) });
    expect(result.moves).toEqual([]);
    expect(result.deletions).toEqual([]);
    expect(await readText(dir, newOut)).toBe(v2Files[newPath]);

    const own = await projectOn(v1);
    await fs.rm(path.join(own, oldOut));
    await fs.mkdir(path.dirname(path.join(own, newOut)), { recursive: true });
    await fs.writeFile(path.join(own, newOut), v2Files[newPath] ?? "");
    await commitAll(own);
    const same = await upgradeProject({ dir: own, sources: template("2.0.0", v2Files) });
    expect(same.moves).toEqual([]);
    expect(same.changed).toEqual([".ds-service/manifest.json"]);
  });

  it("a project with its own file at the new path: two files, not one merged into the other", async () => {
    const dir = await projectOn(v1);
    const edited = helpers('"""Helpers."""', "    return x + 1");
    const own = helpers('"""My own helpers."""', "    return x - 1");
    await fs.writeFile(path.join(dir, oldOut), edited);
    await fs.mkdir(path.dirname(path.join(dir, newOut)), { recursive: true });
    await fs.writeFile(path.join(dir, newOut), own);
    await commitAll(dir);
    const result = await upgradeProject({ dir, sources: template("2.0.0", v2Files, declared) });
    expect(result.moves).toEqual([]);
    expect(await readText(dir, oldOut)).toBe(edited);
    expect(result.deletions.map((d) => [d.path, d.kind])).toEqual([
      [oldOut, "template-deleted-edited"],
    ]);
    expect(await readText(dir, newOut)).toContain("return x - 1");
    expect(result.conflicts.map((c) => c.path)).toContain(newOut);
  });
});
