import fs from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "../errors.js";
import { readPyproject } from "./pyproject.js";
import { choosePython } from "./python-sources.js";
import { readText } from "./repo-files.js";
import { installsProject, requirementsFileNames } from "./requirement.js";
import { type RepoPytest, repoPytest } from "./test-command.js";

/** Linters and formatters CI runs in check mode when the repository declares them, in this order. */
export const lintTools = ["ruff", "black", "isort", "flake8", "pre-commit"] as const;
/** Type checkers, likewise. */
export const typeCheckers = ["mypy", "ty"] as const;
export type LintTool = (typeof lintTools)[number];
export type TypeChecker = (typeof typeCheckers)[number];

/** How an existing Python repository installs, where its code lives and what it already has. */
export interface ProjectLayout {
  readonly packageManager: "uv" | "poetry" | "pip";
  /** uv.lock or poetry.lock is committed: CI installs exactly that. */
  readonly locked: boolean;
  readonly layout: "src" | "flat";
  /** Top-level code directories (`src`, or the flat packages), for lint and type checks. */
  readonly codeDirs: readonly string[];
  /** "declared": a dependency; "tests-only": tests or pytest config but pytest is not declared. */
  readonly pytest: "declared" | "tests-only" | false;
  /**
   * The linters and type checkers it declares as dependencies (so the setup command installs
   * them); pre-commit only with a `.pre-commit-config.yaml` to run.
   */
  readonly linters: readonly LintTool[];
  readonly typeCheckers: readonly TypeChecker[];
  readonly pythonVersion: string;
  /** The pytest arguments the repo's own CI runs (see repoPytest), if it runs pytest. */
  readonly repoPytest: RepoPytest | undefined;
  /** Why that version: the file that names it (see choosePython), or the override's flag. */
  readonly pythonSource: string;
  /** `requirements*.txt` files, for pip. */
  readonly requirements: readonly string[];
  /** pip only: the project installs itself (`pyproject.toml` or `setup.py`). */
  readonly installable: boolean;
  /** pip only: a requirements file already installs the project (`-e .`). */
  readonly installedByRequirements: boolean;
  /** Optional-dependency groups of a PEP 621 project (`dev`, `test`, …), for pip. */
  readonly extras: readonly string[];
  /** PEP 735 dependency groups (`[dependency-groups]`), for pip: `pip install .` leaves them out. */
  readonly groups: readonly string[];
  readonly makeTargets: readonly string[];
  /**
   * The Makefile target that installs the environment when there is no `setup`: a
   * `requirements` or `install` target whose recipe installs (as cookiecutter-data-science's
   * `make requirements` does), never one that compiles or locks requirements.
   */
  readonly installTarget?: string;
  readonly dockerfile: boolean;
}

async function isDir(cwd: string, rel: string): Promise<boolean> {
  return (await fs.stat(path.join(cwd, rel)).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(cwd: string, rel: string): Promise<boolean> {
  return (await fs.stat(path.join(cwd, rel)).catch(() => undefined)) !== undefined;
}

const ignoredDirs = new Set(["tests", "test", "docs", "build", "dist", "node_modules", "venv"]);

/** Packages directly under `dir`: folders holding an `__init__.py`. */
async function packagesIn(cwd: string, dir: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(cwd, dir), { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isDirectory() || e.name.startsWith(".") || ignoredDirs.has(e.name)) continue;
    if (await exists(cwd, path.join(dir, e.name, "__init__.py"))) found.push(e.name);
  }
  return found;
}

/** Names of rules in a Makefile (`name:` at the start of a line, not variables or patterns). */
export function makefileTargets(makefile: string): string[] {
  const targets = new Set<string>();
  for (const match of makefile.matchAll(/^([A-Za-z0-9][\w.-]*)\s*:(?!=)/gm)) {
    if (match[1]) targets.add(match[1]);
  }
  return [...targets];
}

/** The recipe lines of `target` in a Makefile (tab-indented, after its rule line). */
function makefileRecipe(makefile: string, target: string): string[] {
  const lines = makefile.split("\n");
  const rule = new RegExp(`^${target.replace(/[.]/g, "\\.")}\\s*:(?!=)`);
  const start = lines.findIndex((line) => rule.test(line));
  if (start < 0) return [];
  const recipe: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("\t")) break;
    recipe.push(line.trim());
  }
  return recipe;
}

/** `requirements` or `install`, whichever first installs and does not compile or lock. */
function installTargetOf(makefile: string): string | undefined {
  return ["requirements", "install"].find((target) => {
    const recipe = makefileRecipe(makefile, target).join("\n");
    return (
      /\b(pip3?|uv|poetry|pdm|conda|mamba)\b[^\n]*\b(install|sync)\b/.test(recipe) &&
      !/pip-compile|\bcompile\b|\block\b/.test(recipe)
    );
  });
}

/** Reads the repository without changing it; refuses a directory that is not a Python project. */
export async function detectProject(cwd: string): Promise<ProjectLayout> {
  const pyproject = (await readText(cwd, "pyproject.toml")) ?? "";
  const setupPy = await exists(cwd, "setup.py");
  const rootFiles = await fs.readdir(cwd).catch(() => {
    throw new ValidationError(`${cwd} is not a directory`);
  });
  const requirements = rootFiles.filter((f) => /^requirements.*\.txt$/.test(f)).sort();
  const hasPython = rootFiles.some((f) => f.endsWith(".py"));
  if (!pyproject && !setupPy && requirements.length === 0 && !hasPython) {
    const srcOrPackages = (await isDir(cwd, "src")) || (await packagesIn(cwd, ".")).length > 0;
    if (!srcOrPackages) {
      throw new ValidationError(
        `${cwd} does not look like a Python project (no pyproject.toml, setup.py, requirements*.txt or packages)`,
      );
    }
  }
  const toml = readPyproject(pyproject, path.join(cwd, "pyproject.toml"));
  const uvLock = await exists(cwd, "uv.lock");
  const poetryLock = await exists(cwd, "poetry.lock");
  // Any `[tool.uv…]` or `[tool.poetry…]` table counts, not only `[tool.uv]` itself: a project
  // may keep only `[tool.uv.sources]` or `[tool.poetry.group.dev.dependencies]`, and pip would
  // install neither its sources nor its dependency groups. A poetry-core backend is poetry's too.
  const packageManager = uvLock || toml.uv ? "uv" : poetryLock || toml.poetry ? "poetry" : "pip";

  const srcPackages = await packagesIn(cwd, "src");
  const layout = srcPackages.length > 0 ? "src" : "flat";
  const flatPackages = layout === "flat" ? await packagesIn(cwd, ".") : [];
  const codeDirs = layout === "src" ? ["src"] : flatPackages.length > 0 ? flatPackages : ["."];

  const requirementsTexts = await Promise.all(
    requirements.map(async (r) => (await readText(cwd, r)) ?? ""),
  );
  const requirementsNames = requirementsTexts.flatMap(requirementsFileNames);
  // A tool counts when a dependency list names it: pyproject.toml's (PEP 621, PEP 735, poetry)
  // or a requirements file's line, by its normalized name.
  const names = new Set([...toml.requirementNames, ...requirementsNames]);
  const declares = (tool: string) => names.has(tool);

  const testsPresent =
    (await isDir(cwd, "tests")) ||
    (await isDir(cwd, "test")) ||
    toml.pytestConfig ||
    (await exists(cwd, "pytest.ini")) ||
    (await exists(cwd, "conftest.py"));
  const pytest = declares("pytest") ? "declared" : testsPresent ? "tests-only" : false;
  const preCommitConfig = await exists(cwd, ".pre-commit-config.yaml");
  const linters = lintTools.filter((t) => declares(t) && (t !== "pre-commit" || preCommitConfig));

  const python = await choosePython(cwd, toml.requiresPython, toml.requiresPythonFrom);
  const makefile = (await readText(cwd, "Makefile")) ?? "";
  const installTarget = installTargetOf(makefile);
  return {
    packageManager,
    locked: packageManager === "uv" ? uvLock : packageManager === "poetry" ? poetryLock : false,
    layout,
    codeDirs,
    pytest,
    linters,
    typeCheckers: typeCheckers.filter(declares),
    pythonVersion: python.version,
    pythonSource: python.source,
    repoPytest: await repoPytest(cwd),
    requirements,
    installable: toml.installable || setupPy,
    installedByRequirements: requirementsTexts.some(installsProject),
    extras: toml.extras,
    groups: toml.groups,
    makeTargets: makefileTargets(makefile),
    ...(installTarget ? { installTarget } : {}),
    dockerfile: await exists(cwd, "Dockerfile"),
  };
}
