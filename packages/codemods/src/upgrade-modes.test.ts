import fs from "node:fs/promises";
import path from "node:path";
import { readManifest } from "@ds-service/generator";
import { commitAll } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { upgradeProject } from "./run-upgrade.js";
import { projectOn, extraTemplate as template } from "./testing/extra-template.js";

// A template file's executable bit (a script shipped 0o755), through `new` and `upgrade`: it is
// merged as one bit — the project's chmod wins, else the template's new bit applies — and the
// project's other permission bits stay as they are.

const modeOf = async (dir: string, rel: string) =>
  (await fs.stat(path.join(dir, rel))).mode & 0o777;

const script = (body: string) => `#!/bin/sh\nset -eu\n${body}\n`;

describe("file modes", () => {
  it("a template script is written 0755 by new, recorded so, and stays so through an upgrade", async () => {
    const dir = await projectOn(
      template("1.0.0", { "run.sh": { content: script("echo 1"), mode: 0o755 } }),
    );
    expect(await modeOf(dir, "run.sh")).toBe(0o755);
    expect((await readManifest(dir)).files["run.sh"]?.executable).toBe(true);
    const v2 = template("2.0.0", { "run.sh": { content: script("echo 2"), mode: 0o755 } });
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.changed).toContain("run.sh");
    expect(await fs.readFile(path.join(dir, "run.sh"), "utf8")).toBe(script("echo 2"));
    expect(await modeOf(dir, "run.sh")).toBe(0o755);
  });

  it("the project's chmod survives an upgrade that changes the bytes but not the mode", async () => {
    const dir = await projectOn(
      template("1.0.0", {
        "run.sh": { content: script("echo 1"), mode: 0o755 },
        "notes.txt": "a\nb\n",
      }),
    );
    await fs.chmod(path.join(dir, "run.sh"), 0o644);
    await fs.chmod(path.join(dir, "notes.txt"), 0o600);
    await commitAll(dir);
    const v2 = template("2.0.0", {
      "run.sh": { content: script("echo 2"), mode: 0o755 },
      "notes.txt": "a\nb\nc\n",
    });
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.conflicts).toEqual([]);
    expect(await fs.readFile(path.join(dir, "run.sh"), "utf8")).toBe(script("echo 2"));
    expect(await modeOf(dir, "run.sh")).toBe(0o644);
    expect(await fs.readFile(path.join(dir, "notes.txt"), "utf8")).toBe("a\nb\nc\n");
    expect(await modeOf(dir, "notes.txt")).toBe(0o600);
    await commitAll(dir);
    expect((await upgradeProject({ dir, sources: v2 })).changed).toEqual([]);
  });

  it("a template mode change is applied to a file whose mode is unedited, bytes unchanged or not", async () => {
    const dir = await projectOn(
      template("1.0.0", {
        "tool.sh": script("echo tool"),
        "private.sh": script("echo private"),
        "was-exec.sh": { content: script("echo was"), mode: 0o755 },
      }),
    );
    // Not a change of the executable bit (nor one git sees): the template's +x still applies.
    await fs.chmod(path.join(dir, "private.sh"), 0o600);
    const v2 = template("2.0.0", {
      "tool.sh": { content: script("echo tool"), mode: 0o755 },
      "private.sh": { content: script("echo private, v2"), mode: 0o755 },
      "was-exec.sh": script("echo was"),
    });
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.changed).toEqual(
      expect.arrayContaining(["tool.sh", "private.sh", "was-exec.sh"]),
    );
    expect(await modeOf(dir, "tool.sh")).toBe(0o755);
    expect(await modeOf(dir, "private.sh")).toBe(0o700); // executable, and still private
    expect(await modeOf(dir, "was-exec.sh")).toBe(0o644);
    expect(result.diff).toContain("chmod 755 tool.sh");
    await commitAll(dir);
    expect((await upgradeProject({ dir, sources: v2 })).changed).toEqual([]);
  });

  it("a declared move carries the project's chmod to the new path", async () => {
    const dir = await projectOn(
      template("1.0.0", { "bin/old.sh": { content: script("echo 1"), mode: 0o755 } }),
    );
    await fs.chmod(path.join(dir, "bin/old.sh"), 0o644);
    await commitAll(dir);
    const v2 = template("2.0.0", { "scripts/new.sh": { content: script("echo 1"), mode: 0o755 } }, [
      { version: "2.0.0", from: "bin/old.sh", to: "scripts/new.sh" },
    ]);
    const result = await upgradeProject({ dir, sources: v2 });
    expect(result.moves.map((m) => [m.from, m.to])).toEqual([["bin/old.sh", "scripts/new.sh"]]);
    expect(await modeOf(dir, "scripts/new.sh")).toBe(0o644);
    await expect(fs.access(path.join(dir, "bin/old.sh"))).rejects.toThrow(/ENOENT/);
  });
});
