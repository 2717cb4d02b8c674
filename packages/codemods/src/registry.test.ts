import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { registry } from "./registry.js";
import { selectCodemods } from "./select.js";
import { renameHoldoutFraction } from "./transforms/rename-holdout-fraction/index.js";
import { releasedTemplateVersions } from "./upgrade.js";

const transforms = path.join(import.meta.dirname, "transforms");

describe("registry", () => {
  it("lists exactly the codemod folders, each complete", async () => {
    const folders = (await fs.readdir(transforms, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(registry.map((c) => c.name).sort()).toEqual(folders);
    for (const name of folders) {
      const files = await fs.readdir(path.join(transforms, name));
      expect(files, name).toEqual(
        expect.arrayContaining(["index.ts", "index.test.ts", "README.md", "__fixtures__"]),
      );
    }
  });

  it("is ordered by the version that introduced each codemod, with valid metadata", () => {
    for (const codemod of registry) {
      expect(semver.valid(codemod.introducedIn), codemod.name).not.toBeNull();
      expect(codemod.name).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(codemod.description.length).toBeGreaterThan(10);
    }
    const versions = registry.map((c) => c.introducedIn);
    expect([...versions].sort(semver.compare)).toEqual(versions);
  });
});

describe("selectCodemods", () => {
  const fake = (introducedIn: string) => ({
    ...renameHoldoutFraction,
    name: `x-${introducedIn}`,
    introducedIn,
  });
  const list = [fake("0.2.0"), fake("0.3.0"), fake("1.0.0")];

  it("selects codemods introduced after `from`, up to and including `to`", () => {
    expect(selectCodemods(list, "0.1.0", "0.3.0").map((c) => c.introducedIn)).toEqual([
      "0.2.0",
      "0.3.0",
    ]);
    expect(selectCodemods(list, "0.2.0", "0.2.0")).toEqual([]);
    expect(selectCodemods(list, "0.3.0", "2.0.0").map((c) => c.introducedIn)).toEqual(["1.0.0"]);
  });
});

describe("releasedTemplateVersions", () => {
  it("is ascending, ends at the template this ds-service carries, and covers every codemod", () => {
    expect([...releasedTemplateVersions].sort(semver.compare)).toEqual(releasedTemplateVersions);
    expect(releasedTemplateVersions.at(-1)).toBe(serviceTemplateSource.packageVersion);
    for (const codemod of registry) {
      expect(releasedTemplateVersions).toContain(codemod.introducedIn);
    }
  });
});
