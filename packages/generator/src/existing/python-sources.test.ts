import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { choosePython, noxVersions, toxVersions, workflowVersions } from "./python-sources.js";
import { repoPytest } from "./test-command.js";

const workflow = (pythonVersion: string, matrix = "") =>
  [
    "name: tests",
    "on: push",
    "jobs:",
    "  test:",
    "    runs-on: ubuntu-latest",
    ...(matrix ? ["    strategy:", "      matrix:", `        python-version: ${matrix}`] : []),
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/setup-python@v5",
    "        with:",
    `          python-version: ${pythonVersion}`,
    "",
  ].join("\n");

describe("the Python CI sets up, read from the repository", () => {
  it("reads a workflow's setup-python version as written: 3.10, not the float 3.1", () => {
    expect(workflowVersions(workflow("3.10"))).toEqual(["3.10"]);
    expect(workflowVersions(workflow('"3.9"'))).toEqual(["3.9"]);
  });

  it("follows a matrix reference into the job's matrix, in order", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS one.
    const text = workflow("${{ matrix.python-version }}", '["3.10", "3.12"]');
    expect(workflowVersions(text)).toEqual(["3.10", "3.12"]);
  });

  it("reads tox's envlist and nox's sessions", () => {
    expect(toxVersions("[tox]\nenvlist = py310, py311, lint\n")).toEqual(["3.10", "3.11"]);
    expect(toxVersions("[tox]\nenv_list =\n    py39\n    py312\n")).toEqual(["3.9", "3.12"]);
    expect(noxVersions('@nox.session(python=["3.10", "3.11"])\ndef tests(s): ...\n')).toEqual([
      "3.10",
      "3.11",
    ]);
  });

  it("prefers what the repository already runs, within requires-python, and says where", async () => {
    const cwd = await testdir({ ".github/workflows/test.yml": workflow("3.10") });
    expect(await choosePython(cwd, undefined)).toEqual({
      version: "3.10",
      source: ".github/workflows/test.yml",
    });
    // A version requires-python excludes is passed over for the next one named, then the range.
    expect(await choosePython(cwd, ">=3.11")).toEqual({
      version: "3.11",
      source: 'pyproject.toml requires-python ">=3.11"',
    });
    const both = await testdir({
      ".python-version": "3.12\n",
      ".github/workflows/test.yml": workflow("3.10"),
    });
    expect((await choosePython(both, undefined)).source).toBe(".python-version");
  });

  it("reads the workflow that runs the tests before a docs one, and a downstream one last", async () => {
    const runs = (command: string) => `      - run: ${command}\n`;
    const downstream = workflow("3.9").replace(
      "      - uses: actions/checkout@v4\n",
      "      - uses: actions/checkout@v4\n        with:\n          repository: them/dependent\n",
    );
    const cwd = await testdir({
      // Sorted by name these come first: a docs build and a dependent project's tests.
      ".github/workflows/a-docs.yml": workflow("3.13") + runs("make html"),
      ".github/workflows/b-downstream.yml": downstream + runs("pytest"),
      ".github/workflows/tests.yml": workflow("3.10") + runs("python -m pytest -q"),
    });
    expect(await choosePython(cwd, undefined)).toEqual({
      version: "3.10",
      source: ".github/workflows/tests.yml",
    });
    expect(await repoPytest(cwd)).toEqual({ args: "-q", source: ".github/workflows/tests.yml" });
  });

  it("reads a python-version-file, and takes a docs build through tox for no test run", async () => {
    const step = "      - uses: actions/setup-python@v5\n        with:\n";
    const job = (lines: string) =>
      `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${lines}`;
    const cwd = await testdir({
      ".github/workflows/a-docs.yml": job(
        `${step}          python-version: "3.12"\n      - run: pip install tox\n      - run: tox run -e docset\n`,
      ),
      ".github/workflows/ci.yml": job(
        `${step}          python-version-file: .python-version-default\n      - run: tox run -e py\n`,
      ),
      ".python-version-default": "3.13\n",
    });
    expect(await choosePython(cwd, undefined)).toEqual({
      version: "3.13",
      source: ".python-version-default (.github/workflows/ci.yml)",
    });
  });

  it("takes a GitLab pipeline's python image, then tox, when no workflow names one", async () => {
    const gitlab = await testdir({
      ".gitlab-ci.yml": "image: python:3.10-slim\ntest:\n  script: [pytest]\n",
    });
    expect(await choosePython(gitlab, undefined)).toEqual({
      version: "3.10",
      source: ".gitlab-ci.yml",
    });
    const tox = await testdir({ "tox.ini": "[tox]\nenvlist = py39\n" });
    expect(await choosePython(tox, "~=3.9")).toEqual({ version: "3.9", source: "tox.ini" });
  });

  it("falls back to the default, and says so, when nothing names a version", async () => {
    const cwd = await testdir({ ".github/workflows/broken.yml": "jobs: [unclosed\n" });
    expect(await choosePython(cwd, undefined)).toEqual({
      version: "3.11",
      source: "nothing in the repository names one: the default",
    });
  });
});
