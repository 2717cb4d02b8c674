import fs from "node:fs/promises";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { projectRoot } from "./project-root.js";

describe("projectRoot", () => {
  it("finds the nearest manifest above a subdirectory", async () => {
    const root = await testdir({
      "proj/.ds-service/manifest.json": "{}",
      "proj/src/pkg/core/x.py": "",
      "proj/vendored/inner/.ds-service/manifest.json": "{}",
    });
    const proj = path.join(root, "proj");
    expect(await projectRoot(path.join(proj, "src/pkg/core"))).toBe(proj);
    expect(await projectRoot(proj)).toBe(proj);
    const inner = path.join(proj, "vendored/inner");
    expect(await projectRoot(inner)).toBe(inner);
  });

  it("returns the start itself outside any project", async () => {
    const root = await testdir({ "elsewhere/file.txt": "" });
    const start = path.join(root, "elsewhere");
    await fs.mkdir(start, { recursive: true });
    expect(await projectRoot(start)).toBe(start);
  });
});
