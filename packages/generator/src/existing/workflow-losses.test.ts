import { describe, expect, it } from "vitest";
import { isCiFile, workflowLosses } from "./workflow-losses.js";

// A repository's own workflow, shaped like real ones: a required job with a display name,
// a format check and a secret scan the pack does not run.
const theirs = `name: CI
on: [push]
jobs:
  lint:
    name: Lint & format
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: gitleaks/gitleaks-action@v2
      - run: |
          pip install -r requirements-dev.txt
          ruff format --check .
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: python -m pytest
`;

const ours = `name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - run: pip install -r requirements-dev.txt
      - run: python -m pytest
`;

describe("workflowLosses", () => {
  it("names the jobs, commands and actions the replacement drops, nothing it keeps", () => {
    expect(workflowLosses(theirs, ours)).toEqual([
      'job "Lint & format" no longer reports (a required status check by that name would block merges)',
      "no longer runs: ruff format --check .",
      "no longer uses: gitleaks/gitleaks-action",
    ]);
    expect(workflowLosses(ours, theirs)).toEqual([]);
  });

  it("reads GitLab jobs and scripts, skipping keywords and hidden jobs", () => {
    const pipeline = `stages: [test]
variables: { PIP_CACHE_DIR: .pip }
.base:
  script: [echo hidden]
lint:
  script:
    - black --check .
test:
  before_script: [pip install .]
  script: [pytest -q]
`;
    const replacement = "test:\n  script:\n    - pip install .\n    - pytest -q\n";
    expect(workflowLosses(pipeline, replacement)).toEqual([
      'job "lint" no longer reports (a required status check by that name would block merges)',
      "no longer runs: black --check .",
    ]);
  });

  it("loses nothing it cannot read: broken YAML and files that are no CI", () => {
    expect(workflowLosses("jobs: [unclosed", ours)).toEqual([]);
    expect(isCiFile(".github/workflows/ci.yml")).toBe(true);
    expect(isCiFile(".gitlab-ci.yml")).toBe(true);
    expect(isCiFile("SECURITY.md")).toBe(false);
    expect(isCiFile(".github/dependabot.yml")).toBe(false);
  });
});
