import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "@ds-service/test-utils";
import { execa } from "execa";
import { expect } from "vitest";
import { parse } from "yaml";

// What the e2e files about `add ci` on repositories ds-service did not generate share: a small
// library and its test, and running the added CI's commands as CI runs them.

export const lib = "def add(a: int, b: int) -> int:\n    return a + b\n";
export const test = (expected: number) =>
  `from mylib import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == ${expected}\n`;

/** The check job's commands; nothing else (no train, no score) that the repo could not run. */
export async function ciCommands(
  repo: string,
  workflow = "ci.yml",
): Promise<{ setup: string; check: string }> {
  const ci = parse(await fs.readFile(path.join(repo, ".github/workflows", workflow), "utf8")) as {
    jobs: { check: { with: { setup: string; check: string } } };
  };
  expect(Object.keys(ci.jobs.check.with).sort()).toEqual(
    ["check", "python-version", "setup", "uv"].sort(),
  );
  return ci.jobs.check.with;
}

/** Runs a CI command as the reusable workflow does (`bash -c`), in `env`. */
export async function runAsCi(repo: string, command: string, env: Record<string, string> = {}) {
  return execa("bash", ["-c", command], { cwd: repo, env, all: true, reject: false });
}

/** `python` from an activated venv: where pip may install, as on a runner. */
export const activated = (venv: string) => ({
  PATH: `${path.join(venv, "bin")}:${process.env.PATH}`,
  VIRTUAL_ENV: venv,
});

/** A fresh venv at `.venv-ci`, activated: a runner's `python` after actions/setup-python. */
export async function venvRunner(repo: string) {
  const env = activated(path.join(repo, ".venv-ci"));
  await execa("python3", ["-m", "venv", env.VIRTUAL_ENV]);
  return env;
}

/** CI's setup in a fresh venv at `.venv-ci`, then its check, which must pass (1 test); the env. */
export async function installedAndPassing(repo: string, setup: string, check: string) {
  const ciEnv = await venvRunner(repo);
  const installed = await runAsCi(repo, setup, ciEnv);
  expect(installed.exitCode, installed.all).toBe(0);
  const passed = await runAsCi(repo, check, ciEnv);
  expect(passed.exitCode, passed.all).toBe(0);
  expect(passed.all).toMatch(/1 passed/);
  return ciEnv;
}

/** actionlint and zizmor on the repository's workflows (and GitLab's schema on its pipeline). */
export async function lintWorkflows(repo: string) {
  const r = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), repo], {
    all: true,
    reject: false,
  });
  expect(r.exitCode, r.all).toBe(0);
  return String(r.all);
}
