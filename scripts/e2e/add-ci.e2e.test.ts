import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { pipGroupsVersion, poetryVersion } from "../../packages/generator/src/existing/commands.js";
import {
  activated,
  ciCommands,
  installedAndPassing,
  lib,
  lintWorkflows as lintClean,
  runAsCi,
  test,
} from "./existing-repo.js";

// `ds-service add ci` on plain Python repositories that ds-service did not generate: the
// workflows it writes must pass actionlint and zizmor, and the commands they call must exist
// there and pass — and fail when the repository's tests fail. The shapes of real repositories
// (each checked, upgraded and dry-run as well) are in add-ci-fixtures.e2e.test.ts.

async function lintWorkflows(repo: string) {
  expect(await lintClean(repo)).toContain(`actionlint: ${repo}/.github`);
}

describe("ds-service add ci on a plain repository", () => {
  it("pip + flat layout: lint-clean workflows whose commands pass, and fail on a failing test", async () => {
    const repo = await testdir({
      "mylib/__init__.py": lib,
      "tests/test_add.py": test(5),
      "requirements-dev.txt": "pytest>=8\n",
    });
    const added = await runCli(["add", "ci", "--cwd", repo], { env: { CI: "true" } });
    expect(added.exitCode, added.stderr).toBe(0);
    await lintWorkflows(repo);

    const { setup, check } = await ciCommands(repo);
    expect(setup).toBe("python -m pip install -r requirements-dev.txt");
    const ciEnv = await installedAndPassing(repo, setup, check);

    await fs.writeFile(path.join(repo, "tests/test_add.py"), test(6));
    const failed = await runAsCi(repo, check, ciEnv);
    expect(failed.exitCode).not.toBe(0);
  });

  it("pip + hatchling + a PEP 735 dev group: CI installs the group, whose pytest passes", async () => {
    const repo = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "mylib"',
        'version = "0.1.0"',
        "",
        "[dependency-groups]",
        'dev = ["pytest>=8"]',
        "",
        "[build-system]",
        'requires = ["hatchling>=1.26"]',
        'build-backend = "hatchling.build"',
        "",
      ].join("\n"),
      "mylib/__init__.py": lib,
      "tests/test_add.py": test(5),
    });
    const added = await runCli(["add", "ci", "--cwd", repo], { env: { CI: "true" } });
    expect(added.exitCode, added.stderr).toBe(0);
    await lintWorkflows(repo);

    const { setup, check } = await ciCommands(repo);
    // `pip install .` alone would leave the group's pytest out ("No module named pytest").
    expect(setup).toBe(
      `python -m pip install --quiet 'pip>=${pipGroupsVersion}' && python -m pip install . --group dev`,
    );
    expect(check).toBe("python -m pytest");
    const ciEnv = await installedAndPassing(repo, setup, check);

    await fs.writeFile(path.join(repo, "tests/test_add.py"), test(6));
    const failed = await runAsCi(repo, check, ciEnv);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.all).toMatch(/1 failed/);
  });

  // A repository with its own required workflow and its own formatters: --beside keeps the
  // workflow (and so its status check), and the pack runs black, isort and flake8 as the repo
  // declares them, for real — failing on code one of them rejects.
  it("its own CI and black/isort/flake8: --beside keeps it, the pack runs those tools", async () => {
    const own =
      "name: Tests\non: [push]\njobs:\n  tests:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n";
    const repo = await testdir({
      "mylib/__init__.py": lib,
      "tests/test_add.py": test(5),
      "requirements-dev.txt": "pytest>=8\nblack\nisort\nflake8\n",
      ".github/workflows/tests.yml": own,
    });
    const added = await runCli(["add", "ci", "--cwd", repo, "--beside"], { env: { CI: "true" } });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain("checks black, isort, flake8");
    expect(await fs.readFile(path.join(repo, ".github/workflows/tests.yml"), "utf8")).toBe(own);
    const ci = parse(
      await fs.readFile(path.join(repo, ".github/workflows/ds-service-ci.yml"), "utf8"),
    ) as { jobs: { check: { with: { setup: string; check: string } } } };
    const { setup, check } = ci.jobs.check.with;
    expect(check).toBe(
      "python -m black --check mylib && python -m isort --check-only mylib && " +
        "python -m flake8 mylib && python -m pytest",
    );
    const ciEnv = await installedAndPassing(repo, setup, check);
    // Imports out of isort's order: the check fails before any test runs.
    await fs.writeFile(path.join(repo, "mylib/__init__.py"), `import sys\nimport os\n\n\n${lib}`);
    const unsorted = await runAsCi(repo, check, ciEnv);
    expect(unsorted.exitCode, unsorted.all).not.toBe(0);
    expect(unsorted.all).toMatch(/isort|Imports are incorrectly sorted/);
    await fs.writeFile(path.join(repo, "mylib/__init__.py"), lib);

    const checked = await runCli(["check", "--cwd", repo], { env: { CI: "true" } });
    expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
    // The repo's own workflow is tag-pinned and unlinted (as real ones are): lint ours only.
    await fs.rm(path.join(repo, ".github/workflows/tests.yml"));
    await lintWorkflows(repo);
  });

  it("--ci gitlab: a schema-valid .gitlab-ci.yml whose jobs' commands pass there", async () => {
    const repo = await testdir({
      "mylib/__init__.py": lib,
      "tests/test_add.py": test(5),
      "requirements-dev.txt": "pytest>=8\n",
    });
    const added = await runCli(["add", "ci", "--ci", "gitlab", "--cwd", repo], {
      env: { CI: "true" },
    });
    expect(added.exitCode, added.stderr).toBe(0);
    await expect(fs.access(path.join(repo, ".github"))).rejects.toThrow();
    const r = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), repo], {
      all: true,
      reject: false,
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`check-jsonschema vendor.gitlab-ci: ${repo}/.gitlab-ci.yml`);
    const ci = parse(await fs.readFile(path.join(repo, ".gitlab-ci.yml"), "utf8")) as {
      variables: Record<string, string>;
    };
    expect(ci.variables).toMatchObject({
      SETUP_COMMAND: "python -m pip install -r requirements-dev.txt",
      CHECK_COMMAND: "python -m pytest",
      TRAIN_COMMAND: "",
      SCORE_COMMAND: "",
    });
    expect(r.all).toContain(`renovate-config-validator --strict: ${repo}/.gitlab/renovate.json`);

    // As the check job runs them: the pipeline's variables in the environment, `bash -c`, and a
    // `python` whose pip may install (the job image's).
    const venv = path.join(repo, ".venv-ci");
    await execa("python3", ["-m", "venv", venv]);
    const env = { ...ci.variables, CI: "true", ...activated(venv) };
    const installed = await runAsCi(repo, 'bash -c "$SETUP_COMMAND"', env);
    expect(installed.exitCode, installed.all).toBe(0);
    const passed = await runAsCi(repo, 'bash -c "$CHECK_COMMAND"', env);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.all).toMatch(/1 passed/);
    await fs.writeFile(path.join(repo, "tests/test_add.py"), test(6));
    const failed = await runAsCi(repo, 'bash -c "$CHECK_COMMAND"', env);
    expect(failed.exitCode).not.toBe(0);
  });

  it("--ci gitlab --beside: its jobs join the repo's pipeline, schema-valid, and pass there", async () => {
    const theirs = [
      "# The team's pipeline.",
      "stages: [lint, release]",
      "",
      "variables:",
      "  CHECK_COMMAND: echo not ours",
      "",
      "lint:",
      "  stage: lint",
      "  script:",
      "    - python -m compileall -q mylib",
      "",
    ].join("\n");
    const repo = await testdir({
      "mylib/__init__.py": lib,
      "tests/test_add.py": test(5),
      "requirements-dev.txt": "pytest>=8\n",
      ".gitlab-ci.yml": theirs,
    });
    const added = await runCli(["add", "ci", "--ci", "gitlab", "--beside", "--cwd", repo], {
      env: { CI: "true" },
    });
    expect(added.exitCode, added.stderr).toBe(0);
    const r = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), repo], {
      all: true,
      reject: false,
    });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`check-jsonschema vendor.gitlab-ci: ${repo}/.gitlab-ci.yml`);
    expect(r.all).toContain(`check-jsonschema vendor.gitlab-ci: ${repo}/.gitlab/ds-service-ci.yml`);

    // The pipeline GitLab assembles: the repository's file with the included one merged in
    // (the including file wins a clash), then `extends` resolved.
    type Job = { stage?: string; extends?: string[]; variables?: Record<string, string> };
    const main = parse(await fs.readFile(path.join(repo, ".gitlab-ci.yml"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(main.include).toEqual([{ local: ".gitlab/ds-service-ci.yml" }]);
    const included = parse(
      await fs.readFile(path.join(repo, ".gitlab/ds-service-ci.yml"), "utf8"),
    ) as Record<string, Job>;
    for (const key of Object.keys(included)) expect(Object.keys(main)).not.toContain(key);
    const check = included["ds-service-check"] ?? {};
    expect((main.stages as string[]).includes(check.stage ?? "test")).toBe(true);
    const variables = Object.assign(
      {},
      ...(check.extends ?? []).map((parent) => included[parent]?.variables ?? {}),
      check.variables,
    ) as Record<string, string>;
    // The job-level CHECK_COMMAND wins over the repository's global one, for our job only.
    expect(variables.CHECK_COMMAND).toBe("python -m pytest");

    const venv = path.join(repo, ".venv-ci");
    await execa("python3", ["-m", "venv", venv]);
    const env = { ...variables, CI: "true", ...activated(venv) };
    const installed = await runAsCi(repo, 'bash -c "$SETUP_COMMAND"', env);
    expect(installed.exitCode, installed.all).toBe(0);
    const passed = await runAsCi(repo, 'bash -c "$CHECK_COMMAND"', env);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.all).toMatch(/1 passed/);

    const checked = await runCli(["check", "--cwd", repo], { env: { CI: "true" } });
    expect(checked.exitCode, checked.stdout + checked.stderr).toBe(0);
  });

  it("uv + src layout: wires uv sync, ruff and pytest, which pass there", async () => {
    const repo = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "mylib"',
        'version = "0.1.0"',
        'requires-python = ">=3.11"',
        "",
        "[dependency-groups]",
        'dev = ["pytest>=8", "ruff>=0.6"]',
        "",
        "[build-system]",
        'requires = ["hatchling>=1.26"]',
        'build-backend = "hatchling.build"',
        "",
        "[tool.ruff]",
        "line-length = 100",
        "",
      ].join("\n"),
      "src/mylib/__init__.py": `"""Adds."""\n\n\n${lib}`,
      "tests/test_add.py": test(5),
    });
    const locked = await execa("uv", ["lock"], { cwd: repo, all: true, reject: false });
    expect(locked.exitCode, locked.all).toBe(0);
    const added = await runCli(["add", "ci", "--cwd", repo], { env: { CI: "true" } });
    expect(added.exitCode, added.stderr).toBe(0);
    await lintWorkflows(repo);

    const { setup, check } = await ciCommands(repo);
    expect(setup).toBe("uv sync --locked");
    expect(check).toBe("uv run ruff check src && uv run pytest");
    const installed = await runAsCi(repo, setup);
    expect(installed.exitCode, installed.all).toBe(0);
    const passed = await runAsCi(repo, check);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.all).toMatch(/1 passed/);
  });

  it("poetry + src layout: installs the pinned poetry, then the locked dev group, which passes", async () => {
    const repo = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "mylib"',
        'version = "0.1.0"',
        'requires-python = ">=3.11"',
        "dependencies = []",
        "",
        "[tool.poetry.group.dev.dependencies]",
        'pytest = ">=8"',
        'ruff = ">=0.6"',
        "",
        "[build-system]",
        'requires = ["poetry-core>=2.0,<3"]',
        'build-backend = "poetry.core.masonry.api"',
        "",
      ].join("\n"),
      "src/mylib/__init__.py": `"""Adds."""\n\n\n${lib}`,
      "tests/test_add.py": test(5),
    });
    // Poetry's config, and the virtualenv it creates, stay in the test's folder: a developer's
    // poetry config (virtualenvs.in-project, …) must not change what CI would do.
    const poetryEnv = {
      POETRY_CONFIG_DIR: path.join(repo, ".poetry-config"),
      POETRY_VIRTUALENVS_PATH: path.join(repo, ".poetry-venvs"),
    };
    // The lock file is written by the very poetry CI installs, run from PyPI through uv.
    const locked = await execa(
      "uv",
      ["tool", "run", "--from", `poetry==${poetryVersion}`, "poetry", "lock"],
      { cwd: repo, env: poetryEnv, all: true, reject: false },
    );
    expect(locked.exitCode, locked.all).toBe(0);
    expect(await fs.readFile(path.join(repo, "poetry.lock"), "utf8")).toContain(
      `@generated by Poetry ${poetryVersion}`,
    );
    const added = await runCli(["add", "ci", "--cwd", repo], { env: { CI: "true" } });
    expect(added.exitCode, added.stderr).toBe(0);
    await lintWorkflows(repo);

    const { setup, check } = await ciCommands(repo);
    expect(setup).toBe(
      `python -m pip install --quiet poetry==${poetryVersion} && poetry install --no-interaction`,
    );
    expect(check).toBe("poetry run ruff check src && poetry run pytest");
    // As on a runner after actions/setup-python (no uv for a poetry repo): a writable `python`
    // on PATH and no active virtualenv, so `poetry install` makes the project's own.
    const venv = path.join(repo, ".python");
    await execa("python3", ["-m", "venv", venv]);
    const runner = { ...poetryEnv, PATH: `${path.join(venv, "bin")}:${process.env.PATH}` };
    const installed = await runAsCi(repo, setup, runner);
    expect(installed.exitCode, installed.all).toBe(0);
    const passed = await runAsCi(repo, check, runner);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.all).toMatch(/1 passed/);
    expect((await fs.readdir(poetryEnv.POETRY_VIRTUALENVS_PATH)).length).toBe(1);

    await fs.writeFile(path.join(repo, "tests/test_add.py"), test(6));
    const failed = await runAsCi(repo, check, runner);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.all).toMatch(/1 failed/);
  });
});
