import fs from "node:fs/promises";
import path from "node:path";
import { listTree, repoRoot, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

// The published artifacts must work on their own: files whitelist, bundled template, declared
// dependencies. Packed with pnpm (which rewrites workspace: ranges), installed with npm into a
// directory outside the monorepo, run as a user would.
const publishable = ["packages/cli", "packages/create-ds-service"];

describe("packed create-ds-service", () => {
  it("installs outside the monorepo and scaffolds a project", async () => {
    const packs = await testdir();
    for (const pkg of publishable) {
      await execa("pnpm", ["pack", "--pack-destination", packs], { cwd: path.join(repoRoot, pkg) });
    }
    const tarballs = (await fs.readdir(packs)).filter((f) => f.endsWith(".tgz"));
    expect(tarballs).toHaveLength(publishable.length);

    const consumer = await testdir({
      "package.json": JSON.stringify({ name: "consumer", private: true }),
    });
    await execa(
      "npm",
      ["install", "--no-audit", "--no-fund", ...tarballs.map((t) => path.join(packs, t))],
      {
        cwd: consumer,
      },
    );
    const work = await testdir();
    const bin = path.join(consumer, "node_modules/.bin/create-ds-service");
    const r = await execa(bin, ["my-model", "--yes", "--no-install", "--no-git"], {
      cwd: work,
      env: { CI: "true", NO_COLOR: "1" },
      reject: false,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const files = await listTree(path.join(work, "my-model"));
    expect(files).toContain("pyproject.toml");
    expect(files).toContain("src/my_model/__init__.py");
    expect(files).toContain(".ds-service/manifest.json");
  });
});
