import fs from "node:fs/promises";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { compareWithDisk } from "./existing/compare.js";
import type { Plan } from "./plan.js";
import { unifiedDiff } from "./unified-diff.js";

// The one diff renderer (upgrade, add ci, adopt): byte-safe, and every created and deleted
// file shown, as `git diff` shows them.

/** PNG bytes that are not UTF-8: decoding them would print (and could store) U+FFFD. */
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);

describe("unifiedDiff", () => {
  it("shows a created file from /dev/null and a deleted one to /dev/null", () => {
    const diff = unifiedDiff([
      { path: "new.txt", before: null, after: Buffer.from("one\ntwo\n") },
      { path: "old.txt", before: Buffer.from("gone\n"), after: null },
    ]);
    expect(diff).toContain("--- /dev/null\n+++ b/new.txt\n");
    expect(diff).toContain("+one\n+two\n");
    expect(diff).toContain("--- a/old.txt\n+++ /dev/null\n");
    expect(diff).toContain("-gone\n");
  });

  it("never decodes bytes that are not text, created, changed or deleted", () => {
    const diff = unifiedDiff([
      { path: "a.bin", before: null, after: png },
      { path: "b.dat", before: Buffer.from("text\n"), after: png },
      { path: "c.png", before: png, after: null },
    ]);
    expect(diff).toBe(
      [
        "Binary files /dev/null and b/a.bin differ",
        "Binary files a/b.dat and b/b.dat differ",
        "Binary files a/c.png and /dev/null differ",
        "",
      ].join("\n"),
    );
    expect(diff).not.toContain("\ufffd");
  });

  it("is empty for bytes that do not change, and names a new mode", () => {
    expect(unifiedDiff([{ path: "same", before: png, after: Buffer.from(png) }])).toBe("");
    expect(unifiedDiff([{ path: "run.sh", before: png, after: png, mode: 0o755 }])).toBe(
      "chmod 755 run.sh\n",
    );
  });
});

describe("compareWithDisk (add ci, adopt)", () => {
  it("diffs through the one renderer: binary-safe, created files in full", async () => {
    const cwd = await testdir({ "keep.txt": "same\n" });
    await fs.mkdir(path.join(cwd, "assets"));
    await fs.writeFile(path.join(cwd, "assets/logo.png"), png);
    const plan: Plan = new Map(
      [
        { path: "assets/logo.png", content: Buffer.concat([png, png]) },
        { path: "docs/new.md", content: Buffer.from("# New\n") },
        { path: "keep.txt", content: Buffer.from("same\n") },
      ].map((file) => [file.path, { ...file, ownership: "managed" }] as const),
    );
    const changes = await compareWithDisk(plan, cwd);
    expect(changes.map((c) => [c.file.path, c.kind, c.diff])).toEqual([
      [
        "assets/logo.png",
        "update",
        "Binary files a/assets/logo.png and b/assets/logo.png differ\n",
      ],
      ["docs/new.md", "create", expect.stringContaining("--- /dev/null\n+++ b/docs/new.md\n")],
      ["keep.txt", "unchanged", ""],
    ]);
    expect(changes[1]?.diff).toContain("+# New\n");
  });
});
