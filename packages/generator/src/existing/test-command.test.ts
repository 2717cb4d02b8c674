import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { pipRepo } from "../testing/existing-repos.js";
import { ciCommands } from "./commands.js";
import { detectProject } from "./detect.js";
import { firstPytest, repoPytest } from "./test-command.js";

describe("the test command the repository's own CI runs", () => {
  it("takes pytest's arguments from the first line that runs it, through run prefixes", () => {
    expect(firstPytest(["pip install -e .", "python -m pytest tests/unit -m 'not slow'"])).toBe(
      "tests/unit -m 'not slow'",
    );
    expect(firstPytest(["uv sync && uv run pytest -q tests && echo done"])).toBe("-q tests");
    expect(firstPytest(["pytest"])).toBe("");
    expect(firstPytest(["ruff check .", "mypy src"])).toBeUndefined();
  });

  it("passes over a command it cannot run as written (expressions, variables, pipes)", () => {
    expect(firstPytest(["pytest --dataset-loc=$DATA", "pytest tests/unit"])).toBe("tests/unit");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS one.
    expect(firstPytest(["pytest ${{ matrix.suite }}"])).toBeUndefined();
    expect(firstPytest(["pytest tests > log.txt"])).toBeUndefined();
  });

  it("reads workflows, then the GitLab pipeline, then tox, and says where", async () => {
    const workflow =
      "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          pip install -r requirements-dev.txt\n          python -m pytest tests/unit\n";
    const gh = await testdir({
      ".github/workflows/t.yml": workflow,
      "tox.ini": "[testenv]\ncommands = pytest tests\n",
    });
    expect(await repoPytest(gh)).toEqual({ args: "tests/unit", source: ".github/workflows/t.yml" });
    const gl = await testdir({
      ".gitlab-ci.yml": "test:\n  script:\n    - pip install .\n    - pytest tests/fast\n",
    });
    expect(await repoPytest(gl)).toEqual({ args: "tests/fast", source: ".gitlab-ci.yml" });
    const tox = await testdir({
      "tox.ini": "[testenv]\ncommands =\n    pytest tests/quick {posargs}\n",
    });
    expect(await repoPytest(tox)).toEqual({ args: "tests/quick", source: "tox.ini" });
    expect(await repoPytest(await testdir({}))).toBeUndefined();
  });

  it("then nox, pyproject's task runners, the Makefile's recipes and the README, in that order", async () => {
    const nox =
      'import nox\n\n@nox.session\ndef tests(session):\n    session.install(".")\n    session.run("pytest", "tests/unit", "-q", *session.posargs)\n';
    const poe =
      '[project]\nname = "x"\n\n[tool.poe.tasks]\nlint = "ruff check ."\nall = "pytest"\ntest = { cmd = "pytest tests/fast -m \'not data\'" }\n';
    const makefile = "PYTHON ?= python\n\nunit:\n\t@$(PYTHON) -m pytest tests/unit -x\n";
    const readme = [
      "# Churn",
      "",
      "```sh",
      "$ pip install -e .",
      "$ pytest --dataset-loc=$DATA",
      "$ pytest tests/smoke",
      "```",
      "",
    ].join("\n");
    const rst = "Churn\n=====\n\nRun the tests::\n\n    python -m pytest tests/rst\n\nDone.\n";
    const repo = (files: Record<string, string>) => testdir(files);
    expect(await repoPytest(await repo({ "noxfile.py": nox, Makefile: makefile }))).toEqual({
      args: "tests/unit -q",
      source: "noxfile.py",
    });
    expect(await repoPytest(await repo({ "pyproject.toml": poe, "README.md": readme }))).toEqual({
      args: "tests/fast -m 'not data'",
      source: "pyproject.toml",
    });
    expect(await repoPytest(await repo({ Makefile: makefile, "README.md": readme }))).toEqual({
      args: "tests/unit -x",
      source: "Makefile",
    });
    // The README's first runnable pytest line: the one with a shell variable is passed over.
    expect(await repoPytest(await repo({ "README.md": readme }))).toEqual({
      args: "tests/smoke",
      source: "README.md",
    });
    expect(await repoPytest(await repo({ "README.rst": rst }))).toEqual({
      args: "tests/rst",
      source: "README.rst",
    });
    // nox runs its arguments without a shell: each stays one argument in the command line.
    const spaced =
      'def tests(session):\n    session.run("pytest", "-m", "not slow", "--strict-markers")\n';
    expect(await repoPytest(await repo({ "noxfile.py": spaced }))).toEqual({
      args: "-m 'not slow' --strict-markers",
      source: "noxfile.py",
    });
    const pdm = '[tool.pdm.scripts]\ntest = { cmd = ["pytest", "-k", "not network"] }\n';
    expect(await repoPytest(await repo({ "pyproject.toml": pdm }))).toEqual({
      args: "-k 'not network'",
      source: "pyproject.toml",
    });
    // A nox call built from variables is not a command it can run as written.
    const dynamic = 'def tests(session):\n    session.run("pytest", TESTS)\n';
    expect(await repoPytest(await repo({ "noxfile.py": dynamic }))).toBeUndefined();
  });

  it("wires the CI check to it, not to a bare pytest that follows testpaths", async () => {
    const cwd = await testdir({
      ...pipRepo,
      "tox.ini": "[testenv]\ncommands = pytest tests/test_add.py -p no:cacheprovider\n",
    });
    expect(ciCommands(await detectProject(cwd)).check).toBe(
      "python -m pytest tests/test_add.py -p no:cacheprovider",
    );
  });
});
