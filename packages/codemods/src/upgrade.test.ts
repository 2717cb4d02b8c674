import fs from "node:fs/promises";
import path from "node:path";
import {
  createProject,
  manifestPath,
  parseAnswers,
  serviceTemplateSource,
  ValidationError,
} from "@ds-service/generator";
import {
  commitAll,
  git,
  listTree,
  oldProjectRepo,
  templateV010Project,
  testdir,
} from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { checkProject } from "./check.js";
import type { Codemod } from "./codemod.js";
import { baseRef } from "./git.js";
import { registry } from "./registry.js";
import { upgradeProject } from "./run-upgrade.js";
import { renameHoldoutFraction } from "./transforms/rename-holdout-fraction/index.js";

const fixture = templateV010Project;

const oldProject = (options: { base?: boolean } = {}) => oldProjectRepo(options);

async function edit(dir: string, rel: string, fn: (s: string) => string): Promise<void> {
  const file = path.join(dir, rel);
  await fs.writeFile(file, fn(await fs.readFile(file, "utf8")));
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = await fs.readFile(path.join(dir, f), "utf8");
  }
  return out;
}

async function freshRender(): Promise<Record<string, string>> {
  const dir = path.join(await testdir(), "churn-model");
  await createProject({
    targetDir: dir,
    answers: parseAnswers({ name: "churn-model", task: "classification" }),
  });
  return snapshot(dir);
}

describe("upgrade from the 0.1.0 fixture", () => {
  it("keeps every user edit, applies the codemod and gains the template change", async () => {
    const dir = await oldProject();
    await edit(dir, "confs/train.yaml", (s) => s.replace("seed: 42", "seed: 7 # our seed"));
    await edit(dir, "README.md", (s) => `${s}\n## Team notes\n\nOwned by the risk team.\n`);
    await edit(dir, "src/churn_model/core/model.py", (s) =>
      // Inside a function the template left alone: 3-way merged with its changes elsewhere.
      s.replace(
        "ships no type information.",
        "ships no type information.\n    Reviewed by the risk team.",
      ),
    );
    await commitAll(dir);

    const result = await upgradeProject({ dir });
    expect(result.from).toBe("0.1.0");
    expect(result.conflicts).toEqual([]);
    expect(result.codemods).toEqual(["rename-holdout-fraction", "move-tool-config"]);

    const train = await fs.readFile(path.join(dir, "confs/train.yaml"), "utf8");
    expect(train).toContain("seed: 7 # our seed");
    expect(train).toContain("holdout_fraction: 0.25");
    expect(train).not.toContain("test_size");
    const readme = await fs.readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("Owned by the risk team.");
    expect(readme).not.toContain("(template\n0.1.0)");
    expect(await fs.readFile(path.join(dir, "src/churn_model/core/model.py"), "utf8")).toContain(
      "Reviewed by the risk team.",
    );
    expect(await fs.readFile(path.join(dir, "src/churn_model/io/config.py"), "utf8")).toContain(
      "holdout_fraction: float",
    );
    expect((await checkProject(dir)).outdated).toBe(false);

    // The base moved to the new pristine render; re-running changes nothing.
    expect(await git(dir, "rev-list", "--count", baseRef)).toBe("2");
    const again = await upgradeProject({ dir, allowDirty: true });
    expect(again.changed).toEqual([]);
  });

  it("moves the tool config out of an edited pyproject.toml without a conflict", async () => {
    const dir = await oldProject();
    // A dependency of the team's, and a table appended right after the tables that go.
    await edit(dir, "pyproject.toml", (s) =>
      s
        .replace('  "uvicorn>=0.34",\n', '  "uvicorn>=0.34",\n  "polars>=1.0", # our export\n')
        .concat(
          '\n# Our private index.\n[tool.uv]\nindex-url = "https://pypi.example.com/simple"\n',
        ),
    );
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts).toEqual([]);
    expect(result.codemods).toContain("move-tool-config");
    const pyproject = await fs.readFile(path.join(dir, "pyproject.toml"), "utf8");
    expect(pyproject).toContain('"polars>=1.0", # our export');
    expect(pyproject).toContain('"matplotlib>=3.9"'); // the template's own change, merged in
    expect(pyproject).toMatch(
      /extend = "ruff-base.toml"\n\n# Our private index.\n\[tool.uv\]\nindex-url = "https:\/\/pypi.example.com\/simple"\n$/,
    );
    expect(pyproject).not.toMatch(/\[tool\.(mypy|pytest|coverage)|line-length/);
    for (const managed of ["ruff-base.toml", "mypy.ini", "pytest.ini", ".coveragerc"]) {
      await expect(fs.stat(path.join(dir, managed)), managed).resolves.toBeTruthy();
    }
  });

  it("makes an unedited project equal to a fresh render of the new version", async () => {
    const dir = await oldProject();
    await upgradeProject({ dir });
    expect(await snapshot(dir)).toEqual(await freshRender());
  });

  it("reports a same-place edit as a conflict with git markers, losing neither side", async () => {
    const dir = await oldProject();
    await edit(dir, "README.md", (s) =>
      s.replace("(template\n0.1.0).", "(template\n0.1.0, customised)."),
    );
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts.map((c) => c.path)).toEqual(["README.md"]);
    const readme = await fs.readFile(path.join(dir, "README.md"), "utf8");
    expect(readme).toMatch(/<<<<<<< yours\n0\.1\.0, customised\)\.\n/);
    expect(readme).toContain(
      `=======\n${serviceTemplateSource.packageVersion}).\n>>>>>>> template`,
    );
  });

  it("without the template base, replaces unedited files and keeps edited ones, the template's beside", async () => {
    const dir = await oldProject({ base: false });
    await edit(dir, "README.md", (s) => `${s}\nmine\n`);
    const ours = await fs.readFile(path.join(dir, "README.md"), "utf8");
    await commitAll(dir);
    const result = await upgradeProject({ dir });
    expect(result.conflicts.map((c) => [c.path, c.theirs])).toEqual([
      ["README.md", "README.md.ds-service-theirs"],
    ]);
    expect(result.baseRefs.state).toBe("missing");
    expect(await fs.readFile(path.join(dir, "README.md"), "utf8")).toBe(ours);
    expect(await fs.readFile(path.join(dir, "README.md.ds-service-theirs"), "utf8")).toContain(
      "## Tool configuration",
    );
    expect(await fs.readFile(path.join(dir, "confs/train.yaml"), "utf8")).toContain(
      "holdout_fraction",
    );
  });

  it("--dry-run prints the diff and writes nothing", async () => {
    const dir = await oldProject();
    const before = await snapshot(dir);
    const result = await upgradeProject({ dir, dryRun: true });
    expect(result.diff).toContain("+holdout_fraction: 0.25");
    expect(await snapshot(dir)).toEqual(before);
    expect(await git(dir, "rev-list", "--count", baseRef)).toBe("1");
  });

  it("leaves the tree byte-identical when a codemod throws", async () => {
    const dir = await oldProject();
    const before = await snapshot(dir);
    const boom: Codemod = {
      ...renameHoldoutFraction,
      name: "explode-late",
      async transform(tree) {
        await tree.write("confs/train.yaml", "half: done\n");
        throw new Error("injected failure");
      },
    };
    await expect(upgradeProject({ dir, codemods: [...registry, boom] })).rejects.toThrow(
      "injected failure",
    );
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe("refusals", () => {
  it("refuses a dirty tree unless allowed", async () => {
    const dir = await oldProject();
    await edit(dir, "README.md", (s) => `${s}x\n`);
    await expect(upgradeProject({ dir })).rejects.toThrow(/uncommitted changes \(README.md\)/);
    await expect(upgradeProject({ dir, allowDirty: true })).resolves.toBeDefined();
  });

  it.each([
    [
      "not a git repository",
      async (dir: string) => fs.rm(path.join(dir, ".git"), { recursive: true }),
    ],
    ["no .ds-service/manifest.json", async (dir: string) => fs.rm(path.join(dir, manifestPath))],
    [
      "is corrupt",
      async (dir: string) => fs.writeFile(path.join(dir, manifestPath), '{"schemaVersion": 9}'),
    ],
    [
      "newer than this ds-service",
      async (dir: string) =>
        edit(dir, manifestPath, (s) =>
          s.replace(
            '"@ds-service/template-service": "0.1.0"',
            '"@ds-service/template-service": "9.0.0"',
          ),
        ),
    ],
    [
      "records template 0.1.5, which was never released",
      async (dir: string) =>
        edit(dir, manifestPath, (s) =>
          s.replace(
            '"@ds-service/template-service": "0.1.0"',
            '"@ds-service/template-service": "0.1.5"',
          ),
        ),
    ],
  ])("exit-2 error when the project %s", async (message, breakIt) => {
    const dir = await oldProject();
    await breakIt(dir);
    if (message !== "not a git repository") await commitAll(dir);
    const error = await upgradeProject({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(String(error)).toContain(message);
  });
});

describe("checkProject", () => {
  it("passes on a fresh project and names an edited or missing managed file", async () => {
    const dir = path.join(await testdir(), "churn-model");
    await createProject({ targetDir: dir, answers: parseAnswers({ name: "churn-model" }) });
    expect(await checkProject(dir)).toMatchObject({ drift: [], outdated: false });
    await fs.appendFile(path.join(dir, ".github/workflows/ci.yml"), "# local tweak\n");
    await fs.rm(path.join(dir, ".editorconfig"));
    expect((await checkProject(dir)).drift).toEqual([
      { path: ".editorconfig", reason: "missing" },
      { path: ".github/workflows/ci.yml", reason: "edited" },
    ]);
  });

  it("says when a newer template exists", async () => {
    const result = await checkProject(fixture);
    expect(result).toMatchObject({ templateVersion: "0.1.0", outdated: true, drift: [] });
  });
});
