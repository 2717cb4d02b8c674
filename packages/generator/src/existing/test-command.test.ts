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
