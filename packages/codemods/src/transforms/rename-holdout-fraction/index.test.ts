import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { CodemodError } from "../../codemod.js";
import { StagedTree } from "../../tree.js";
import { renameHoldoutFraction, renamePython } from "./index.js";

const fixtures = path.join(import.meta.dirname, "__fixtures__");
const context = {
  answers: { name: "churn-model", task: "classification" as const, ci: "github" as const },
  package: "churn_model",
};

async function copyDir(from: string, to: string): Promise<void> {
  await fs.cp(from, to, { recursive: true });
}

/** Runs the codemod on `<case>/input` and returns the staged tree, applied to a copy. */
async function migrate(fixture: string): Promise<{ dir: string; tree: StagedTree }> {
  const dir = await testdir();
  await copyDir(path.join(fixtures, fixture, "input"), dir);
  const tree = new StagedTree(dir);
  await renameHoldoutFraction.transform(tree, context);
  for (const change of tree.changes()) {
    if (change.after !== null) await fs.writeFile(path.join(dir, change.path), change.after);
  }
  return { dir, tree };
}

async function expectEqualTrees(actual: string, expected: string): Promise<void> {
  const files = await listTree(expected);
  expect(await listTree(actual)).toEqual(files);
  for (const file of files) {
    expect(await fs.readFile(path.join(actual, file), "utf8"), file).toBe(
      await fs.readFile(path.join(expected, file), "utf8"),
    );
  }
}

describe("rename-holdout-fraction", () => {
  it.each(["migrates", "already-migrated", "customized"])(
    "%s: output matches the fixture",
    async (fixture) => {
      const { dir } = await migrate(fixture);
      await expectEqualTrees(dir, path.join(fixtures, fixture, "output"));
    },
  );

  it("changes nothing when already migrated (idempotent)", async () => {
    const { tree } = await migrate("already-migrated");
    expect(tree.changes()).toEqual([]);
    const again = await migrate("migrates");
    const second = new StagedTree(again.dir);
    await renameHoldoutFraction.transform(second, context);
    expect(second.changes()).toEqual([]);
  });

  it("refuses a project without confs/train.yaml and stages nothing", async () => {
    const dir = await testdir({ "src/churn_model/io/config.py": "x = config.test_size\n" });
    const tree = new StagedTree(dir);
    await expect(renameHoldoutFraction.transform(tree, context)).rejects.toBeInstanceOf(
      CodemodError,
    );
    expect(tree.changes()).toEqual([]);
  });

  it("refuses a config that sets both keys", async () => {
    const dir = await testdir({ "confs/train.yaml": "test_size: 0.2\nholdout_fraction: 0.3\n" });
    await expect(renameHoldoutFraction.transform(new StagedTree(dir), context)).rejects.toThrow(
      /both test_size and holdout_fraction/,
    );
  });

  it("leaves keyword arguments and strings alone in Python", () => {
    const source = [
      "split(test_size=0.2)",
      'name = "test_size"',
      "value = config.test_size + other.config.test_size",
      "",
    ].join("\n");
    expect(renamePython(source)).toBe(
      [
        "split(test_size=0.2)",
        'name = "test_size"',
        "value = config.holdout_fraction + other.config.holdout_fraction",
        "",
      ].join("\n"),
    );
  });
});
