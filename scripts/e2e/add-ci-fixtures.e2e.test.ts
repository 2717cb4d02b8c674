import fs from "node:fs/promises";
import path from "node:path";
import { commitAll, git, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { poetryVersion } from "../../packages/generator/src/existing/commands.js";
import { ciCommands, lib, lintWorkflows, runAsCi, test, venvRunner } from "./existing-repo.js";

// The shapes real repositories have, each as a fixture: `add ci` (GitHub, and GitLab on a twin
// of the repository) must write CI whose setup and check commands pass there as added, and fail
// on a failing test; `adopt` after it must continue where it left off, its make targets passing
// too. Each dry run must predict its real run (the same refusal and exit code, or the same
// files byte for byte); `ds-service check` must accept the manifest and `upgrade` must have
// nothing to do.

type Env = Record<string, string>;

interface Fixture {
  readonly name: string;
  readonly files: Record<string, string>;
  /** Done before the first commit, as the repository's own history would have done it. */
  readonly prepare?: (repo: string) => Promise<void>;
  /** Without them `add ci` must refuse, dry run and real run alike; with them it succeeds. */
  readonly refusedWithout?: readonly string[];
  /** Printed by add ci: the Python CI sets up, and the file it was read from. */
  readonly python: string;
  readonly setup: string;
  readonly check: string;
  /** The workflow whose `with:` holds the commands (ci.yml unless --beside renamed it). */
  readonly workflow?: string;
  /** How a runner's Python looks for this repository: an activated venv, or poetry's own. */
  readonly runner?: (repo: string) => Promise<Env>;
  /** What the passing check prints. */
  readonly passed: RegExp;
  /** A change to the repository that its check must fail on. */
  readonly breaks: readonly [string, string];
}

/** Kept out of git, as in any real repository: what CI's set-up makes in the checkout. */
const gitignore =
  ".venv-ci/\n.python/\n.poetry-*/\n__pycache__/\n.pytest_cache/\n.coverage\n*.egg-info/\n";

/** The `[project]` table of the `mylib` fixtures, with its Python bound when it has one. */
const project = (requiresPython?: string) => [
  "[project]",
  'name = "mylib"',
  'version = "0.1.0"',
  ...(requiresPython === undefined ? [] : [`requires-python = "${requiresPython}"`]),
  "",
];

const hatchProject = [
  ...project(),
  "[build-system]",
  'requires = ["hatchling>=1.26"]',
  'build-backend = "hatchling.build"',
  "",
].join("\n");

/** A setuptools build of the flat `mylib` package (no automatic discovery: tests/ sits beside it). */
const setuptoolsFlat = [
  "[build-system]",
  'requires = ["setuptools>=68"]',
  'build-backend = "setuptools.build_meta"',
  "",
  "[tool.setuptools]",
  'packages = ["mylib"]',
  "",
];

/** A writable `python` on PATH and no active venv: `poetry install` makes the project's own. */
async function poetryRunner(repo: string): Promise<Env> {
  const venv = path.join(repo, ".python");
  await execa("python3", ["-m", "venv", venv]);
  return { ...poetryHome(repo), PATH: `${path.join(venv, "bin")}:${process.env.PATH}` };
}

/** Poetry's config and virtualenvs inside the checkout: a developer's config must not count. */
const poetryHome = (repo: string): Env => ({
  POETRY_CONFIG_DIR: path.join(repo, ".poetry-config"),
  POETRY_VIRTUALENVS_PATH: path.join(repo, ".poetry-venvs"),
});

const fixtures: Fixture[] = [
  {
    name: "requirements.txt that installs the project itself (-e .), a tag-pinned workflow",
    files: {
      "pyproject.toml": hatchProject,
      "requirements.txt": "-e .\npytest>=8\n",
      ".github/workflows/tests.yml": [
        "on: push",
        "jobs:",
        "  tests:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.11"',
        "      - run: pip install -r requirements.txt && pytest",
        "",
      ].join("\n"),
    },
    python: "3.11 (.github/workflows/tests.yml)",
    // Once: pip refuses `.` beside the `-e .` the file already has.
    setup: "python -m pip install -r requirements.txt",
    check: "python -m pytest",
    passed: /1 passed/,
    breaks: ["tests/test_add.py", test(6)],
  },
  {
    name: "a ~=3.10 project (setuptools, its test extra)",
    files: {
      "pyproject.toml": [
        ...project("~=3.10"),
        "[project.optional-dependencies]",
        'test = ["pytest>=7"]',
        "",
        ...setuptoolsFlat,
      ].join("\n"),
    },
    python: '3.11 (pyproject.toml requires-python "~=3.10")',
    setup: "python -m pip install '.[test]'",
    check: "python -m pytest",
    passed: /1 passed/,
    breaks: ["tests/test_add.py", test(6)],
  },
  {
    name: "an old Poetry lock (written by Poetry 1.8, [tool.poetry] tables only)",
    files: {
      "pyproject.toml": [
        "[tool.poetry]",
        'name = "mylib"',
        'version = "0.1.0"',
        'description = "Adds."',
        'authors = ["A Team <team@example.com>"]',
        "",
        "[tool.poetry.dependencies]",
        'python = "^3.10"',
        "",
        "[tool.poetry.dev-dependencies]",
        'pytest = "^8.0"',
        "",
        "[build-system]",
        'requires = ["poetry-core>=1.0.0"]',
        'build-backend = "poetry.core.masonry.api"',
        "",
      ].join("\n"),
    },
    prepare: async (repo) => {
      const locked = await execa(
        "uv",
        ["tool", "run", "--from", "poetry==1.8.5", "poetry", "lock", "--no-update"],
        { cwd: repo, env: poetryHome(repo), all: true, reject: false },
      );
      expect(locked.exitCode, locked.all).toBe(0);
      const lock = await fs.readFile(path.join(repo, "poetry.lock"), "utf8");
      expect(lock).toContain("@generated by Poetry 1.8.5");
    },
    python: '3.11 (pyproject.toml [tool.poetry.dependencies] python "^3.10")',
    setup: `python -m pip install --quiet poetry==${poetryVersion} && poetry install --no-interaction`,
    check: "poetry run pytest",
    runner: poetryRunner,
    passed: /1 passed/,
    breaks: ["tests/test_add.py", test(6)],
  },
  {
    name: "testpaths that need options (importlib mode, pytest-cov, an integration suite)",
    files: {
      "pyproject.toml": [
        ...project(">=3.10"),
        ...setuptoolsFlat,
        "[tool.pytest.ini_options]",
        'testpaths = ["tests/unit"]',
        'addopts = "--import-mode=importlib --cov=mylib --cov-fail-under=90 --strict-markers"',
        "",
      ].join("\n"),
      "requirements-dev.txt": "-e .\npytest>=8\npytest-cov>=5\n",
      // The same basename in two test folders: only importlib mode collects both.
      "tests/unit/test_add.py": test(5),
      "tests/integration/test_add.py":
        'import urllib.request\n\n\ndef test_service_is_up() -> None:\n    urllib.request.urlopen("http://127.0.0.1:9/health", timeout=1)\n',
    },
    python: '3.11 (pyproject.toml requires-python ">=3.10")',
    setup: "python -m pip install -r requirements-dev.txt",
    check: "python -m pytest",
    // The coverage table (pytest-cov, from addopts), then the summary line.
    passed: /TOTAL[\s\S]*1 passed/,
    breaks: ["tests/unit/test_add.py", test(6)],
  },
  {
    name: "suites that need data and an option, where the README runs a narrower command",
    files: {
      "requirements.txt": "pytest>=8\npandas\n",
      "README.md": [
        "# mylib",
        "",
        "Run the code tests (the data and model suites need a dataset and a trained run):",
        "",
        "```bash",
        "python3 -m pytest tests/code --verbose --disable-warnings",
        "```",
        "",
      ].join("\n"),
      "tests/code/test_add.py": test(5),
      // Plain `pytest` would collect this suite, whose option only a person with the data gives.
      "tests/data/conftest.py": [
        "import pandas as pd",
        "import pytest",
        "",
        "",
        "def pytest_addoption(parser: pytest.Parser) -> None:",
        '    parser.addoption("--dataset-loc", action="store", default=None)',
        "",
        "",
        '@pytest.fixture(scope="module")',
        "def df(request: pytest.FixtureRequest) -> pd.DataFrame:",
        '    return pd.read_csv(request.config.getoption("--dataset-loc"))',
        "",
      ].join("\n"),
      "tests/data/test_dataset.py":
        "import pandas as pd\n\n\ndef test_rows(df: pd.DataFrame) -> None:\n    assert len(df) > 0\n",
    },
    python: "3.11 (nothing in the repository names one: the default)",
    setup: "python -m pip install -r requirements.txt",
    check: "python -m pytest tests/code --verbose --disable-warnings",
    passed: /test_add PASSED[\s\S]*1 passed/,
    breaks: ["tests/code/test_add.py", test(6)],
  },
  {
    name: "its own task runner (nox), whose session deselects the nightly tests",
    files: {
      "pyproject.toml": [
        ...project(">=3.10"),
        "[project.optional-dependencies]",
        'test = ["pytest>=8"]',
        "",
        "[build-system]",
        'requires = ["hatchling>=1.26"]',
        'build-backend = "hatchling.build"',
        "",
        "[tool.pytest.ini_options]",
        'markers = ["slow: nightly tests"]',
        "",
      ].join("\n"),
      "noxfile.py": [
        "import nox",
        "",
        "",
        '@nox.session(python=["3.11", "3.12"])',
        "def tests(session: nox.Session) -> None:",
        '    session.install(".[test]")',
        '    session.run("pytest", "-m", "not slow", "--strict-markers")',
        "",
      ].join("\n"),
      "tests/test_slow.py":
        'import pytest\n\n\n@pytest.mark.slow\ndef test_nightly() -> None:\n    raise AssertionError("runs at night, with data CI does not have")\n',
    },
    python: "3.11 (noxfile.py)",
    setup: "python -m pip install '.[test]'",
    check: "python -m pytest -m 'not slow' --strict-markers",
    passed: /1 passed, 1 deselected/,
    breaks: ["tests/test_add.py", test(6)],
  },
  {
    name: "a tag-pinned ci.yml whose job name is a required status check",
    files: {
      "requirements-dev.txt": "pytest>=8\n",
      ".github/workflows/ci.yml": [
        "name: CI",
        "on: [push, pull_request]",
        "jobs:",
        "  test:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.11"',
        "      - run: pip install -r requirements-dev.txt",
        "      - run: pytest -q",
        "",
      ].join("\n"),
    },
    refusedWithout: ["--beside"],
    python: "3.11 (.github/workflows/ci.yml)",
    setup: "python -m pip install -r requirements-dev.txt",
    check: "python -m pytest -q",
    workflow: "ds-service-ci.yml",
    passed: /1 passed/,
    breaks: ["tests/test_add.py", test(6)],
  },
];

async function committed(files: Record<string, string>, prepare?: (repo: string) => Promise<void>) {
  const repo = await testdir({
    "mylib/__init__.py": lib,
    "tests/test_add.py": test(5),
    ".gitignore": gitignore,
    ...files,
  });
  await prepare?.(repo);
  await git(repo, "init", "-q");
  await commitAll(repo, "init");
  return repo;
}

/** The file lines add ci prints (`+ path`, `~ path`, `= path (unchanged)`). */
const listed = (out: string) => out.split("\n").filter((l) => /^\s+[+~=] /.test(l));

/** What add ci printed before its file lines: what it detected and chose. */
const detected = (out: string) => out.slice(0, out.indexOf(listed(out)[0] ?? "\n\n"));

/** The unified diff a dry run prints, without its separators and closing line. */
const dryRunPatch = (out: string) =>
  out
    .slice(Math.max(0, out.search(/^={10,}$/m)))
    .split("\n")
    .filter((line) => !/^={10,}$/.test(line) && !line.startsWith("Dry run:"))
    .join("\n");

/**
 * `args` (add ci or adopt), dry run first: both succeed and detect, choose and list the same,
 * and the dry run's diff, applied by git to a clone of the repository, gives every file the real
 * run writes byte for byte. The real run's output.
 */
async function predictedRun(repo: string, args: readonly string[]) {
  const dry = await runCli([...args, "--dry-run"], { env: { CI: "true" } });
  expect(dry.exitCode, dry.stderr).toBe(0);
  expect(await git(repo, "status", "--porcelain")).toBe("");
  const predicted = await testdir();
  await execa("git", ["clone", "-q", repo, predicted]);
  await execa("git", ["apply", "-"], { cwd: predicted, input: dryRunPatch(dry.stdout) });

  const real = await runCli(args, { env: { CI: "true" } });
  expect(real.exitCode, real.stderr).toBe(0);
  expect(detected(real.stdout)).toBe(detected(dry.stdout));
  expect(listed(real.stdout)).toEqual(listed(dry.stdout));
  const written = listed(real.stdout)
    .filter((line) => /^\s+[+~] /.test(line))
    .map((line) => line.trim().slice(2));
  expect(written.length).toBeGreaterThan(0);
  for (const rel of written) {
    const bytes = await fs.readFile(path.join(repo, rel));
    expect(bytes.equals(await fs.readFile(path.join(predicted, rel))), rel).toBe(true);
  }
  return real.stdout;
}

/**
 * CI's setup and check, as `setup` and `check` spell them for the provider: the check passes as
 * added, fails on the fixture's `breaks`, and passes again once that is undone.
 */
async function passesAndFails(
  repo: string,
  f: Fixture,
  env: Env,
  { setup, check }: { setup: string; check: string },
) {
  const installed = await runAsCi(repo, setup, env);
  expect(installed.exitCode, installed.all).toBe(0);
  const passed = await runAsCi(repo, check, env);
  expect(passed.exitCode, passed.all).toBe(0);
  expect(passed.all).toMatch(f.passed);
  const [rel, content] = f.breaks;
  await fs.writeFile(path.join(repo, rel), content);
  const failed = await runAsCi(repo, check, env);
  expect(failed.exitCode, failed.all).not.toBe(0);
  await git(repo, "checkout", "--", rel);
}

/**
 * actionlint, zizmor and GitLab's schema on what add ci wrote (the files its manifest lists), in
 * a copy without the repository's own workflows: those are tag-pinned, as real ones are.
 */
async function lintAdded(repo: string) {
  const manifest = JSON.parse(
    await fs.readFile(path.join(repo, ".ds-service/manifest.json"), "utf8"),
  ) as { files: Record<string, unknown> };
  const copy = await testdir();
  for (const rel of Object.keys(manifest.files)) {
    await fs.mkdir(path.dirname(path.join(copy, rel)), { recursive: true });
    await fs.copyFile(path.join(repo, rel), path.join(copy, rel));
  }
  return (await lintWorkflows(copy)).replaceAll(copy, "<repo>");
}

/** Committed, the manifest checks clean and an upgrade (dry and real) has nothing to do. */
async function managedAndCurrent(repo: string) {
  await commitAll(repo, "ci");
  const checked = await runCli(["check", "--cwd", repo], { env: { CI: "true" } });
  expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
  for (const dry of [["--dry-run"], []]) {
    const upgraded = await runCli(["upgrade", "--cwd", repo, ...dry], { env: { CI: "true" } });
    expect(upgraded.exitCode, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toMatch(/Already up to date \(CI pack /);
  }
  expect(await git(repo, "status", "--porcelain")).toBe("");
}

describe("add ci on the shapes real repositories have", () => {
  for (const f of fixtures) {
    it(f.name, async () => {
      const repo = await committed(f.files, f.prepare);
      const twin = await testdir();
      await fs.cp(repo, twin, { recursive: true });

      if (f.refusedWithout) {
        const args = ["add", "ci", "--cwd", repo];
        const dry = await runCli([...args, "--dry-run"], { env: { CI: "true" } });
        const real = await runCli(args, { env: { CI: "true" } });
        expect(real.exitCode, real.stderr).toBe(2);
        expect([dry.exitCode, dry.stderr]).toEqual([real.exitCode, real.stderr]);
        expect(await git(repo, "status", "--porcelain")).toBe("");
      }
      const own = Object.keys(f.files).filter((rel) => rel.startsWith(".github/"));
      const flags = f.refusedWithout ?? [];
      const added = await predictedRun(repo, ["add", "ci", "--cwd", repo, ...flags]);
      expect(added).toContain(`CI Python: ${f.python}`);
      for (const rel of own) {
        expect(await fs.readFile(path.join(repo, rel), "utf8")).toBe(f.files[rel]);
      }
      expect(await ciCommands(repo, f.workflow)).toMatchObject({ setup: f.setup, check: f.check });
      expect(await lintAdded(repo)).toContain("actionlint: <repo>/.github");

      // As the GitHub job runs them: `bash -c` with the command in the environment.
      const runner = f.runner ?? venvRunner;
      const env = await runner(repo);
      await passesAndFails(repo, f, env, f);
      await managedAndCurrent(repo);

      // adopt continues where add ci left off: the same commands, now make targets CI calls.
      await predictedRun(repo, ["adopt", "--cwd", repo, ...flags]);
      const make = { setup: "make setup", check: "make check" };
      expect(await ciCommands(repo, f.workflow)).toMatchObject(make);
      await passesAndFails(repo, f, env, make);
      await managedAndCurrent(repo);

      // GitLab, on the twin: the same commands, in the pipeline's variables, run as its jobs do.
      await predictedRun(twin, ["add", "ci", "--cwd", twin, "--ci", "gitlab"]);
      expect(await lintAdded(twin)).toContain("vendor.gitlab-ci: <repo>/.gitlab-ci.yml");
      const pipeline = parse(await fs.readFile(path.join(twin, ".gitlab-ci.yml"), "utf8")) as {
        variables: Env;
      };
      expect(pipeline.variables).toMatchObject({ SETUP_COMMAND: f.setup, CHECK_COMMAND: f.check });
      const jobEnv = {
        ...pipeline.variables,
        CI: "true",
        GITLAB_CI: "true",
        ...(await runner(twin)),
      };
      await passesAndFails(twin, f, jobEnv, {
        setup: 'bash -c "$SETUP_COMMAND"',
        check: 'bash -c "$CHECK_COMMAND"',
      });
      await managedAndCurrent(twin);
    });
  }
});
