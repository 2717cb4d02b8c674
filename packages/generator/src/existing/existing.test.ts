import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "../errors.js";
import { manifestPath, sha256 } from "../manifest/index.js";
import { pipRepo, poetryRepo, uvRepo } from "../testing/existing-repos.js";
import { addCi } from "./add-ci.js";
import { adopt } from "./adopt.js";
import { ciCommands, pipGroupsVersion, poetryVersion } from "./commands.js";
import { detectProject } from "./detect.js";

const ciWith = async (cwd: string) =>
  (
    parse(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")) as {
      jobs: Record<string, { with?: Record<string, unknown> }>;
    }
  ).jobs;

describe("detectProject and ciCommands", () => {
  it("wires a pip repo with flat packages to pip and pytest", async () => {
    const project = await detectProject(await testdir(pipRepo));
    expect(project).toMatchObject({ packageManager: "pip", layout: "flat", codeDirs: ["mylib"] });
    expect(project.pytest).toBe("declared");
    expect(ciCommands(project)).toEqual({
      uv: false,
      pythonVersion: "3.11",
      setup: "python -m pip install -r requirements-dev.txt",
      check: "python -m pytest",
    });
  });

  it("wires a uv src-layout repo to its declared ruff, mypy and pytest", async () => {
    const project = await detectProject(await testdir(uvRepo));
    expect(project).toMatchObject({
      packageManager: "uv",
      layout: "src",
      linters: ["ruff"],
      typeCheckers: ["mypy"],
    });
    expect(ciCommands(project)).toMatchObject({
      uv: true,
      setup: "uv sync --locked",
      check: "uv run ruff check src && uv run mypy src && uv run pytest",
    });
  });

  it("does not demand a lockfile that is not there", async () => {
    const { "uv.lock": _lock, ...unlocked } = uvRepo;
    const cwd = await testdir({
      ...unlocked,
      "pyproject.toml": `${uvRepo["pyproject.toml"]}[tool.uv]\n`,
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({ packageManager: "uv", locked: false });
    expect(ciCommands(project).setup).toBe("uv sync");
  });

  it("installs pytest for a poetry repo whose tests do not declare it", async () => {
    const project = await detectProject(await testdir(poetryRepo));
    expect(project).toMatchObject({
      packageManager: "poetry",
      layout: "flat",
      pytest: "tests-only",
    });
    expect(ciCommands(project).setup).toBe(
      `python -m pip install --quiet poetry==${poetryVersion} && poetry install --no-interaction && poetry run python -m pip install pytest`,
    );
    expect(ciCommands(project).check).toBe("poetry run pytest");
  });

  it.each([
    ["only poetry's group tables", '[tool.poetry.group.dev.dependencies]\npytest = ">=8"\n'],
    [
      "a poetry-core build backend",
      '[dependency-groups]\ndev = ["pytest>=8"]\n\n[build-system]\nrequires = ["poetry-core>=2"]\nbuild-backend = "poetry.core.masonry.api"\n',
    ],
  ])("wires an unlocked PEP 621 project with %s to poetry, not pip", async (_, rest) => {
    const cwd = await testdir({
      "pyproject.toml": `[project]\nname = "p"\nversion = "0.1.0"\n\n${rest}`,
      "src/p/__init__.py": "",
      "tests/test_p.py": "def test_ok() -> None:\n    assert True\n",
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({ packageManager: "poetry", locked: false, pytest: "declared" });
    expect(ciCommands(project)).toMatchObject({
      uv: false,
      setup: `python -m pip install --quiet poetry==${poetryVersion} && poetry install --no-interaction`,
      check: "poetry run pytest",
    });
  });

  it("installs the dev extras of a poetry project, which `poetry install` leaves out", async () => {
    const cwd = await testdir({
      ...poetryRepo,
      "pyproject.toml": [
        "[project]",
        'name = "p"',
        'version = "0.1.0"',
        "",
        "[project.optional-dependencies]",
        'dev = ["pytest>=8", "ruff>=0.6"]',
        'docs = ["mkdocs>=1.6"]',
        "",
        "[tool.poetry]",
        'packages = [{ include = "p" }]',
        "",
      ].join("\n"),
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({ packageManager: "poetry", locked: true, linters: ["ruff"] });
    expect(ciCommands(project)).toMatchObject({
      setup: `python -m pip install --quiet poetry==${poetryVersion} && poetry install --no-interaction --extras dev`,
      check: "poetry run ruff check p && poetry run pytest",
    });
  });

  it("detects uv from a [tool.uv.*] table alone, without [tool.uv] or uv.lock", async () => {
    const cwd = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "p"',
        'version = "0.1.0"',
        'dependencies = ["mylib"]',
        "",
        "[tool.uv.sources]",
        'mylib = { path = "../mylib" }',
        "",
      ].join("\n"),
      "p/__init__.py": "",
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({ packageManager: "uv", locked: false });
    expect(ciCommands(project)).toMatchObject({ uv: true, setup: "uv sync" });
  });

  it("installs a pip project's PEP 735 dev group, which `pip install .` leaves out", async () => {
    const cwd = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "p"',
        'version = "0.1.0"',
        "",
        "[dependency-groups]",
        'dev = ["pytest>=8", { include-group = "lint" }]',
        'lint = ["ruff>=0.6"]',
        'docs = ["mkdocs>=1.6"]',
        "",
        "[build-system]",
        'requires = ["hatchling>=1.26"]',
        'build-backend = "hatchling.build"',
        "",
      ].join("\n"),
      "p/__init__.py": "",
      "tests/test_p.py": "def test_ok() -> None:\n    assert True\n",
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({
      packageManager: "pip",
      pytest: "declared",
      linters: ["ruff"],
      groups: ["dev", "lint", "docs"],
    });
    expect(ciCommands(project)).toMatchObject({
      setup: `python -m pip install --quiet 'pip>=${pipGroupsVersion}' && python -m pip install . --group dev --group lint`,
      check: "python -m ruff check p && python -m pytest",
    });
  });

  it.each([
    [">=3.12", "3.12"],
    [">=3.9", "3.11"],
    [">=3.10,<3.11", "3.10"],
    ["~=3.13", "3.13"],
    [">3.11", "3.11"],
    ["==3.12.*", "3.12"],
  ])("takes the CI Python from requires-python %j: %s", async (requires, version) => {
    const cwd = await testdir({
      "pyproject.toml": `[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = "${requires}"\n`,
      "p/__init__.py": "",
    });
    expect((await detectProject(cwd)).pythonVersion).toBe(version);
  });

  it.each([
    ["^3.12", "3.12"],
    ["~3.10", "3.10"],
    [">=3.9,<3.11", "3.10"],
  ])(
    "takes a Poetry 1.x project's Python from its python dependency %j: %s",
    async (spec, version) => {
      const cwd = await testdir({
        "pyproject.toml": [
          "[tool.poetry]",
          'name = "p"',
          'version = "0.1.0"',
          "",
          "[tool.poetry.dependencies]",
          `python = "${spec}"`,
          "",
        ].join("\n"),
        "p/__init__.py": "",
      });
      const detected = await detectProject(cwd);
      expect(detected.pythonVersion).toBe(version);
      expect(detected.pythonSource).toBe(
        `pyproject.toml [tool.poetry.dependencies] python "${spec}"`,
      );
    },
  );

  it("lets .python-version win over requires-python, and the GitLab image follows", async () => {
    const pyproject = '[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n';
    const pinned = await testdir({
      "pyproject.toml": pyproject,
      ".python-version": "3.13\n",
      "p/__init__.py": "",
    });
    expect((await detectProject(pinned)).pythonVersion).toBe("3.13");
    const cwd = await testdir({ "pyproject.toml": pyproject, "p/__init__.py": "" });
    await addCi({ cwd, ci: "gitlab" });
    const ci = parse(await fs.readFile(path.join(cwd, ".gitlab-ci.yml"), "utf8")) as {
      default: { image: string };
    };
    expect(ci.default.image).toMatch(/^python:3\.12-slim-bookworm@sha256:/);
  });

  it("does not install the project twice when a requirements file already has -e .", async () => {
    const pyproject = '[project]\nname = "p"\nversion = "0.1.0"\n';
    for (const line of ["-e .", "--editable=.[dev]", ".", "-e file:.  # the package"]) {
      const cwd = await testdir({
        "pyproject.toml": pyproject,
        "requirements.txt": `${line}\npytest\n`,
        "p/__init__.py": "",
      });
      expect(ciCommands(await detectProject(cwd)).setup, line).toBe(
        "python -m pip install -r requirements.txt",
      );
    }
    const plain = await testdir({
      "pyproject.toml": pyproject,
      "requirements.txt": "-e ./lib\npytest\n",
      "p/__init__.py": "",
    });
    expect(ciCommands(await detectProject(plain)).setup).toBe(
      "python -m pip install -r requirements.txt .",
    );
  });

  it("keeps the Python the repo's own workflow runs, on GitHub and GitLab alike", async () => {
    const files = {
      ...pipRepo,
      ".github/workflows/tests.yml":
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: 3.10\n",
    };
    const github = await testdir(files);
    await addCi({ cwd: github });
    expect((await ciWith(github)).check?.with?.["python-version"]).toBe("3.10");
    const gitlab = await testdir(files);
    await addCi({ cwd: gitlab, ci: "gitlab" });
    const text = await fs.readFile(path.join(gitlab, ".gitlab-ci.yml"), "utf8");
    expect(text).toMatch(/image: python:3\.10-slim-bookworm # not pinned: /);
    const overridden = await testdir(files);
    await addCi({ cwd: overridden, python: "3.12" });
    expect((await ciWith(overridden)).check?.with?.["python-version"]).toBe("3.12");
    await expect(addCi({ cwd: await testdir(files), python: "3" })).rejects.toThrow(/--python 3/);
  });

  it("counts a tool only as a requirement name, not in comments or strings", async () => {
    const cwd = await testdir({
      "pyproject.toml": [
        "[project]",
        'name = "p"',
        'version = "0.1.0"',
        'description = "pytest"',
        '# dependencies = ["pytest>=8"]',
        'dependencies = ["pytest-cov>=5", "Ruff>=0.6"]',
        'readme = { text = """',
        '"mypy"',
        '""", content-type = "text/plain" }',
        "",
      ].join("\n"),
      "requirements.txt": "# pytest\n-e .\n-r other.txt\nMy_Py==1.0\n",
      "p/__init__.py": "",
      "tests/test_p.py": "",
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({ pytest: "tests-only", linters: ["ruff"], typeCheckers: [] });
  });

  it("reads requirement names as PEP 503 normalizes them, poetry's keys included", async () => {
    const cwd = await testdir({
      "pyproject.toml": [
        "[tool.poetry.dependencies]",
        'python = "^3.11"',
        "",
        "[tool.poetry.group.lint.dependencies]",
        'MyPy = "^1.10"',
        "",
        "[tool.poetry.dev-dependencies]",
        'PyTest = { version = ">=8", extras = ["x"] }',
        "",
      ].join("\n"),
      "requirements-dev.txt": "RUFF[all] >= 0.6 ; python_version >= '3.11'  # lint\n",
      "p/__init__.py": "",
    });
    const project = await detectProject(cwd);
    expect(project).toMatchObject({
      packageManager: "poetry",
      pytest: "declared",
      linters: ["ruff"],
    });
    expect(project.typeCheckers).toEqual(["mypy"]);
  });

  it("refuses a pyproject.toml that does not parse, naming it and the parser's message", async () => {
    const cwd = await testdir({
      "pyproject.toml": '[project]\nname = "p"\ndependencies = ["pytest"\n',
      "p/__init__.py": "",
    });
    const attempt = detectProject(cwd);
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/pyproject\.toml is not valid TOML: .*expected comma/);
  });

  it("prefers the repository's own make targets", async () => {
    const cwd = await testdir({
      ...pipRepo,
      Makefile: "setup:\n\tpip install .\ncheck:\n\tpytest\n",
    });
    expect(ciCommands(await detectProject(cwd))).toMatchObject({
      setup: "make setup",
      check: "make check",
    });
  });

  it("wires in the linters and type checkers the repo declares, each in check mode", async () => {
    const requirements = "pytest\nblack==24.10.0\nisort\nflake8>=7\nty\npre-commit\n";
    const pip = await detectProject(
      await testdir({ ...pipRepo, "requirements-dev.txt": requirements }),
    );
    // No .pre-commit-config.yaml: nothing for pre-commit to run.
    expect(pip).toMatchObject({ linters: ["black", "isort", "flake8"], typeCheckers: ["ty"] });
    expect(ciCommands(pip).check).toBe(
      "python -m black --check mylib && python -m isort --check-only mylib && " +
        "python -m flake8 mylib && python -m ty check mylib && python -m pytest",
    );
    const hooked = await detectProject(
      await testdir({
        ...pipRepo,
        "requirements-dev.txt": "pytest\npre-commit\n",
        ".pre-commit-config.yaml": "repos: []\n",
      }),
    );
    expect(ciCommands(hooked).check).toBe(
      "python -m pre_commit run --all-files --show-diff-on-failure && python -m pytest",
    );
    const uv = await detectProject(
      await testdir({
        ...uvRepo,
        "pyproject.toml": uvRepo["pyproject.toml"].replace('"ruff', '"black", "ruff'),
      }),
    );
    expect(uv.linters).toEqual(["ruff", "black"]);
    expect(ciCommands(uv).check).toMatch(/^uv run ruff check src && uv run black --check src && /);
  });

  it("refuses a directory that is not a Python project", async () => {
    await expect(detectProject(await testdir({ "README.md": "hi" }))).rejects.toThrow(
      ValidationError,
    );
  });
});

describe("addCi", () => {
  it("copies the CI pack, wired and recorded in the manifest", async () => {
    const cwd = await testdir(pipRepo);
    const result = await addCi({ cwd });
    expect(result.written).toBe(true);
    expect(await listTree(cwd)).toEqual(
      [
        ".ds-service/manifest.json",
        ".github/dependabot.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/codeql.yml",
        ".github/workflows/python-ci.yml",
        "SECURITY.md",
        ...Object.keys(pipRepo),
      ].sort(),
    );
    const jobs = await ciWith(cwd);
    expect(jobs.check?.with).toMatchObject({
      setup: "python -m pip install -r requirements-dev.txt",
      uv: false,
    });
    expect(jobs.image).toBeUndefined();
    // Training and the ML Test Score are a generated service's: here they would only fail.
    expect(Object.keys(jobs.check?.with ?? {}).sort()).toEqual(
      ["check", "python-version", "setup", "uv"].sort(),
    );
    expect(jobs["monitoring-rules"]).toBeUndefined(); // no monitoring pack here
    const manifest = JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8"));
    expect(manifest.packages["@ds-service/config-ci"]).toMatch(/^\d+\./);
    const ci = await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"));
    expect(manifest.files[".github/workflows/ci.yml"]).toEqual({
      ownership: "managed",
      sha256: sha256(ci),
    });
    const dependabot = await fs.readFile(path.join(cwd, ".github/dependabot.yml"), "utf8");
    expect(dependabot).toContain("package-ecosystem: pip");
    expect(dependabot).not.toContain("package-ecosystem: docker");
    // Re-running is a no-op.
    const again = await addCi({ cwd });
    expect(again.changes.every((c) => c.kind === "unchanged")).toBe(true);
  });

  it("writes headers and step names true of this repo: nothing locked, trained or absent", async () => {
    const cwd = await testdir(pipRepo);
    await addCi({ cwd });
    const read = (rel: string) => fs.readFile(path.join(cwd, rel), "utf8");
    const steps = await read(".github/workflows/python-ci.yml");
    expect(steps).toContain("- name: Install dependencies");
    expect(steps).not.toMatch(/locked|monitoring\.yml|Train|ML Test Score|DATA_SOURCE|artifact/);
    const ci = await read(".github/workflows/ci.yml");
    expect(ci).not.toMatch(/DATA_SOURCE|secrets:|CD|workflow_call/);
    // No CD calls it here: CI must run on pushes to main by itself, and on pull requests.
    expect(parse(ci).on).toEqual({ pull_request: null, push: { branches: ["main"] } });
    const dependabot = await read(".github/dependabot.yml");
    expect(dependabot).toMatch(
      /^# Keeps the pip requirements and the SHA-pinned actions of this repository current\./,
    );
    expect(dependabot).not.toMatch(/uv\.lock|base images/);
    const withDocker = await testdir({ ...uvRepo, Dockerfile: "FROM python:3.11-slim\n" });
    await addCi({ cwd: withDocker });
    expect(await fs.readFile(path.join(withDocker, ".github/dependabot.yml"), "utf8")).toMatch(
      /^# Keeps the uv\.lock dependencies, the SHA-pinned actions and the Dockerfile's base images/,
    );
  });

  it("never overwrites a different file without --force, and shows the diff", async () => {
    const mine = "name: mine\non: push\njobs: {}\n";
    const cwd = await testdir({ ...pipRepo, ".github/workflows/ci.yml": mine });
    const attempt = addCi({ cwd });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/--force[\s\S]*-name: mine/);
    expect(await listTree(cwd)).toEqual(
      [".github/workflows/ci.yml", ...Object.keys(pipRepo)].sort(),
    );
    expect(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")).toBe(mine);

    const forced = await addCi({ cwd, force: true });
    expect(forced.changes.find((c) => c.file.path === ".github/workflows/ci.yml")?.kind).toBe(
      "update",
    );
    expect(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")).not.toBe(mine);
  });

  it("installs with the repo's own make requirements (cookiecutter-data-science), not a compile step", async () => {
    const makefile = [
      "PYTHON_INTERPRETER = python",
      "",
      "## Install Python dependencies",
      ".PHONY: requirements",
      "requirements:",
      "\t$(PYTHON_INTERPRETER) -m pip install -U pip",
      "\t$(PYTHON_INTERPRETER) -m pip install -r requirements.txt",
      "",
      "test:",
      "\tpython -m pytest tests",
      "",
    ].join("\n");
    const cwd = await testdir({ ...pipRepo, Makefile: makefile });
    expect(ciCommands(await detectProject(cwd))).toMatchObject({
      setup: "make requirements",
      check: "make test",
    });
    // A requirements target that regenerates the pins installs nothing: not CI's setup.
    const compiling = makefile.replace(
      "\t$(PYTHON_INTERPRETER) -m pip install -r requirements.txt",
      "\tpip-compile requirements.in && pip install -r requirements.txt",
    );
    const other = await testdir({ ...pipRepo, Makefile: compiling });
    expect(ciCommands(await detectProject(other)).setup).toBe(
      "python -m pip install -r requirements-dev.txt",
    );
  });

  it.each([
    ["3.9", "2.2.1"],
    ["3.8", "1.8.5"],
    ["3.12", poetryVersion],
  ])("installs a poetry that runs on CI's Python %s: %s", async (python, poetry) => {
    const cwd = await testdir({
      ...poetryRepo,
      "pyproject.toml":
        '[tool.poetry]\nname = "p"\n\n[tool.poetry.dependencies]\npython = "^3.8"\n',
      ".python-version": `${python}\n`,
    });
    const project = await detectProject(cwd);
    expect(project.pythonVersion).toBe(python);
    expect(ciCommands(project).setup).toMatch(
      new RegExp(`^python -m pip install --quiet poetry==${poetry.replaceAll(".", "\\.")} &&`),
    );
  });

  it("offers --beside when it would keep every refused file: their dependabot.yml, their CI", async () => {
    const theirs = "version: 2\nupdates: []\n";
    const cwd = await testdir({ ...pipRepo, ".github/dependabot.yml": theirs });
    await expect(addCi({ cwd })).rejects.toThrow(/--force to overwrite, or with --beside/);
    const beside = await addCi({ cwd, beside: true });
    expect(beside.written).toBe(true);
    expect(await fs.readFile(path.join(cwd, ".github/dependabot.yml"), "utf8")).toBe(theirs);
    // A file --beside writes too (its own workflows, when one differs) is not offered it.
    const edited = await testdir({
      ...pipRepo,
      ".github/workflows/ds-service-ci.yml": "name: edited\n",
      ".github/dependabot.yml": theirs,
    });
    const refused = addCi({ cwd: edited, beside: true });
    await expect(refused).rejects.toThrow(/--force to overwrite:/);
  });

  it("--ci gitlab writes .gitlab-ci.yml wired to the repo and records the provider", async () => {
    const cwd = await testdir(pipRepo);
    await addCi({ cwd, ci: "gitlab" });
    expect(await listTree(cwd)).toEqual(
      [
        ".ds-service/manifest.json",
        ".gitlab-ci.yml",
        ".gitlab/renovate.json",
        "SECURITY.md",
        ...Object.keys(pipRepo),
      ].sort(),
    );
    const ci = parse(await fs.readFile(path.join(cwd, ".gitlab-ci.yml"), "utf8")) as {
      variables: Record<string, string>;
      default: { image: string };
      stages: string[];
    } & Record<string, unknown>;
    expect(ci.variables.CHECK_COMMAND).toBe("python -m pytest");
    expect(ci.variables).toMatchObject({ TRAIN_COMMAND: "", SCORE_COMMAND: "" });
    expect(ci.variables).not.toHaveProperty("DEPLOY_IMAGE");
    // No Dockerfile, no deploy.mk, no alert rules: only the jobs whose commands exist here.
    const jobs = Object.keys(ci).filter((key) => (ci[key] as { stage?: string })?.stage);
    expect(jobs.sort()).toEqual(["check", "train"]);
    expect(ci.stages).toEqual(["check", "train"]);
    expect(ci.default.image).toMatch(/^python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$/);
    const manifest = JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8"));
    expect(manifest.ci.provider).toBe("gitlab");
  });

  it("takes --setup and --check over what it detected, and refuses a multi-line one", async () => {
    const cwd = await testdir(pipRepo);
    const result = await addCi({ cwd, setup: "make deps", check: "tox -e py311" });
    expect(result.commands).toMatchObject({ setup: "make deps", check: "tox -e py311" });
    const ci = await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8");
    expect(ci).toContain("make deps");
    expect(ci).toContain("tox -e py311");
    const other = await testdir(pipRepo);
    await expect(addCi({ cwd: other, check: "pytest\nrm -rf /" })).rejects.toThrow(
      /--check: expected one non-empty line/,
    );
    expect(await listTree(other)).toEqual(Object.keys(pipRepo).sort());
  });

  it("--beside adds the pack next to the repo's own CI, under its own names, and keeps it so", async () => {
    const theirs =
      "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n";
    const cwd = await testdir({
      ...pipRepo,
      ".github/workflows/ci.yml": theirs,
      "SECURITY.md": "ours\n",
    });
    const result = await addCi({ cwd, beside: true });
    expect(result.written).toBe(true);
    expect(await fs.readFile(path.join(cwd, ".github/workflows/ci.yml"), "utf8")).toBe(theirs);
    expect(await fs.readFile(path.join(cwd, "SECURITY.md"), "utf8")).toBe("ours\n");
    expect((await listTree(cwd)).filter((f) => f.startsWith(".github/"))).toEqual([
      ".github/workflows/ci.yml",
      ".github/workflows/ds-service-ci.yml",
      ".github/workflows/ds-service-codeql.yml",
      ".github/workflows/ds-service-python-ci.yml",
    ]);
    const ci = parse(
      await fs.readFile(path.join(cwd, ".github/workflows/ds-service-ci.yml"), "utf8"),
    ) as { name: string; jobs: { check: { name: string; uses: string } } };
    expect(ci.name).toBe("ds-service CI");
    expect(ci.jobs.check).toMatchObject({
      name: "ds-service check",
      uses: "./.github/workflows/ds-service-python-ci.yml",
    });
    const manifest = JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8"));
    expect(manifest.ci.beside).toBe(true);
    // Run again, it plans the same files: nothing differs, nothing is refused.
    const again = await addCi({ cwd, beside: true });
    expect(again.changes.every((c) => c.kind === "unchanged")).toBe(true);
  });

  it("--ci gitlab --beside includes the pack's jobs in the repo's pipeline, its bytes kept", async () => {
    const theirs = [
      "# Our pipeline.",
      "stages: [lint, build]",
      "",
      "lint:",
      "  stage: lint",
      "  script:",
      "    - echo lint  # spacing kept",
      "",
    ].join("\n");
    const cwd = await testdir({ ...pipRepo, ".gitlab-ci.yml": theirs });
    const result = await addCi({ cwd, beside: true, ci: "gitlab" });
    expect(result.written).toBe(true);
    const pipeline = await fs.readFile(path.join(cwd, ".gitlab-ci.yml"), "utf8");
    expect(pipeline).toBe(
      `# Our pipeline.\ninclude:\n  - local: .gitlab/ds-service-ci.yml\n\n${theirs.slice(16)}`,
    );
    const jobs = parse(
      await fs.readFile(path.join(cwd, ".gitlab/ds-service-ci.yml"), "utf8"),
    ) as Record<string, { stage?: string; extends?: string[]; variables?: object }>;
    // No global key of an included file would leave the repo's own jobs alone.
    expect(Object.keys(jobs).sort()).toEqual([".ds-service-defaults", "ds-service-check"]);
    expect(jobs["ds-service-check"]).toMatchObject({
      stage: "lint",
      extends: [".ds-service-defaults"],
    });
    expect(jobs[".ds-service-defaults"]?.variables).toMatchObject({
      SETUP_COMMAND: expect.any(String),
      CHECK_COMMAND: "python -m pytest",
    });
    const manifest = JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8"));
    expect(manifest.ci).toMatchObject({ provider: "gitlab", beside: true, besideStage: "lint" });
    expect(Object.keys(manifest.files)).not.toContain(".gitlab-ci.yml");
    // Again: the include is found, nothing differs.
    const again = await addCi({ cwd, beside: true, ci: "gitlab" });
    expect(again.changes.every((c) => c.kind === "unchanged")).toBe(true);
    // Nothing to sit beside: refused, nothing written.
    const bare = await testdir(pipRepo);
    await expect(addCi({ cwd: bare, beside: true, ci: "gitlab" })).rejects.toThrow(
      /no \.gitlab-ci\.yml to sit beside/,
    );
    expect(await listTree(bare)).toEqual(Object.keys(pipRepo).sort());
  });

  it("writes nothing on --dry-run", async () => {
    const cwd = await testdir(pipRepo);
    const result = await addCi({ cwd, dryRun: true });
    expect(result.written).toBe(false);
    expect(result.changes.filter((c) => c.kind === "create")).toHaveLength(6);
    expect(await listTree(cwd)).toEqual(Object.keys(pipRepo).sort());
  });
});

describe("adopt", () => {
  it("appends only the missing make targets, keeps the code, and wires CI to make", async () => {
    const makefile = "# mine\ntest:\n\tpython -m pytest -q\n";
    const cwd = await testdir({ ...pipRepo, Makefile: makefile });
    const result = await adopt({ cwd });
    expect(result.written).toBe(true);
    const after = await fs.readFile(path.join(cwd, "Makefile"), "utf8");
    expect(after.startsWith(makefile)).toBe(true);
    expect(after).toMatch(/^setup: .*\n\tpython -m pip install -r requirements-dev.txt$/m);
    expect(after).toMatch(/^check: test /m);
    expect(after.match(/^test:/gm)).toHaveLength(1);
    expect((await ciWith(cwd)).check?.with).toMatchObject({
      setup: "make setup",
      check: "make check",
    });
    for (const [rel, content] of Object.entries(pipRepo)) {
      expect(await fs.readFile(path.join(cwd, rel), "utf8")).toBe(content);
    }
    const manifest = JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8"));
    expect(manifest.files.Makefile.ownership).toBe("merged");
    expect(manifest.files[".editorconfig"].ownership).toBe("managed");
  });

  it("changes nothing on --dry-run", async () => {
    const cwd = await testdir(uvRepo);
    const result = await adopt({ cwd, dryRun: true });
    expect(result.written).toBe(false);
    expect(result.changes.map((c) => c.file.path)).toContain("Makefile");
    expect(await listTree(cwd)).toEqual(Object.keys(uvRepo).sort());
  });
});
