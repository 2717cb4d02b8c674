import fs from "node:fs/promises";
import path from "node:path";
import { planProject } from "@ds-service/generator";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { CodemodError } from "../../codemod.js";
import { StagedTree } from "../../tree.js";
import { migratePyproject, moveToolConfig, ruffBlock } from "./index.js";
import { joinTables, splitTables } from "./sections.js";

const fixtures = path.join(import.meta.dirname, "__fixtures__");
const read = (rel: string) => fs.readFile(path.join(fixtures, rel), "utf8");
const context = {
  answers: { name: "churn-model", task: "classification" as const, ci: "github" as const },
  package: "churn_model",
};

describe("move-tool-config", () => {
  it.each(["migrates", "customized", "already-migrated"])(
    "%s: output matches the fixture, and a second run changes nothing",
    async (fixture) => {
      const output = migratePyproject(await read(`${fixture}/input/pyproject.toml`));
      expect(output).toBe(await read(`${fixture}/output/pyproject.toml`));
      expect(migratePyproject(output)).toBe(output);
    },
  );

  it("turns the released tables into exactly what the template renders now", async () => {
    const plan = await planProject(context.answers, "/tmp/never");
    const current = plan.get("pyproject.toml")?.content.toString("utf8") ?? "";
    expect(current).toContain(ruffBlock.join("\n"));
    // The released 0.1.0 tables in place of the current ruff block: migrated, they are it again.
    const released = (await read("migrates/input/pyproject.toml")).slice(
      (await read("migrates/input/pyproject.toml")).indexOf("[tool.ruff]"),
    );
    const old = current.replace(`${ruffBlock.join("\n")}\n`, released);
    expect(old).not.toBe(current);
    expect(migratePyproject(old)).toBe(current);
  });

  it("keeps the user's additions byte for byte", async () => {
    const output = await read("customized/output/pyproject.toml");
    expect(output).toContain('"polars>=1.0", # the feature store export');
    expect(output).toContain('"ANN", # the team wants annotations checked by ruff too');
    expect(output).toContain("# Our uv index; keep it near the tools.\n[tool.uv]");
    expect(output).toContain('files = [\n  # the package version\n  "pyproject.toml",\n]\n');
    expect(output).toMatch(/\[tool\.ruff\]\n#[^\n]*\n#[^\n]*\nextend = "ruff-base.toml"\n/);
    expect(output).not.toMatch(/tool\.(mypy|pytest|coverage)/);
  });

  it("stages the edit on the tree and nothing else", async () => {
    const dir = await testdir({
      "pyproject.toml": await read("migrates/input/pyproject.toml"),
    });
    const tree = new StagedTree(dir);
    await moveToolConfig.transform(tree, context);
    expect(tree.changes().map((c) => c.path)).toEqual(["pyproject.toml"]);
    expect(tree.changes()[0]?.after?.toString("utf8")).toBe(
      await read("migrates/output/pyproject.toml"),
    );
  });

  it("refuses a customised mypy or pytest table, naming it, and stages nothing", async () => {
    const input = (await read("migrates/input/pyproject.toml"))
      .replace("warn_unreachable = true", "warn_unreachable = false")
      .replace("xfail_strict = true", "xfail_strict = false");
    expect(() => migratePyproject(input)).toThrow(CodemodError);
    expect(() => migratePyproject(input)).toThrow(
      /\[tool\.mypy\] \(now mypy\.ini\), \[tool\.pytest\] \(now pytest\.ini\)/,
    );
    const dir = await testdir({ "pyproject.toml": input });
    const tree = new StagedTree(dir);
    await expect(moveToolConfig.transform(tree, context)).rejects.toBeInstanceOf(CodemodError);
    expect(tree.changes()).toEqual([]);
  });

  it("refuses a project without pyproject.toml, or with one that is not TOML", async () => {
    await expect(
      moveToolConfig.transform(new StagedTree(await testdir({})), context),
    ).rejects.toThrow(/pyproject.toml not found/);
    expect(() => migratePyproject("[tool.ruff\nline-length = 1\n")).toThrow(/not valid TOML/);
  });

  it("refuses tool settings written as dotted keys rather than tables", async () => {
    // Another tool's dotted keys are left alone; a moved tool's are refused, not half-moved.
    const other = `${await read("migrates/input/pyproject.toml")}\n[tool]\nblack.line-length = 100\n`;
    expect(migratePyproject(other)).toContain("[tool]\nblack.line-length = 100\n");
    const dotted = (await read("migrates/input/pyproject.toml")).replace(
      "[tool.hatch.build.targets.wheel]",
      "[tool]\nmypy.extra_checks = true\n\n[tool.hatch.build.targets.wheel]",
    );
    expect(() => migratePyproject(dotted)).toThrow(CodemodError);
  });
});

describe("splitTables", () => {
  it("gives back the input, and sees no header inside multi-line values", () => {
    const text = [
      "# preamble",
      "[project]",
      'name = "x" # a comment with [brackets]',
      "dependencies = [",
      "  # a comment inside the array",
      '  "a",',
      "[not a header]",
      "]",
      'notes = """',
      "[also not a header]",
      '"""',
      "",
      "# above tool.x",
      "[tool.x]",
      "k = { a = [1, 2] }",
      "",
    ].join("\n");
    const layout = splitTables(text);
    expect(joinTables(layout)).toBe(text);
    expect(layout.sections.map((s) => s.name)).toEqual(["", "project", "tool.x"]);
    expect(layout.sections[2]?.leading).toEqual(["", "# above tool.x"]);
  });
});
