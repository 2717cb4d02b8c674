import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot } from "@ds-service/test-utils";
import { execa } from "execa";
import { expect } from "vitest";
import { parse } from "yaml";

interface Pipeline {
  variables: Record<string, string>;
  [job: string]: unknown;
}

/**
 * Runs a `--ci gitlab` project's own pipeline as a GitLab job would: the pipeline's variables in
 * the environment (CI=true, UV_CACHE_DIR inside the checkout), each job's script through
 * `bash -c`. setup, check, train (with --require-clean-tree, so the uv cache must not dirty the
 * tree), score and the monitoring rules must pass, the ML Test Score must count the GitLab
 * pipeline as CI, and the pipeline and its Renovate config must lint clean. Real tools only.
 */
export async function runGitlabPipeline(project: string): Promise<void> {
  const pipeline = parse(
    await fs.readFile(path.join(project, ".gitlab-ci.yml"), "utf8"),
  ) as Pipeline;
  const env = { ...pipeline.variables, CI: "true", GITLAB_CI: "true" };
  const job = async (command: string) => {
    const r = await execa("bash", ["-c", command], { cwd: project, env, all: true, reject: false });
    expect(r.exitCode, `${command} failed:\n${r.all}`).toBe(0);
    return String(r.all);
  };

  await job(pipeline.variables.SETUP_COMMAND ?? "");
  // GitLab caches .uv-cache inside the checkout; the tree must still count as clean.
  await fs.access(path.join(project, ".uv-cache"));
  expect((await execa("git", ["status", "--porcelain"], { cwd: project })).stdout).toBe("");

  const check = await job(pipeline.variables.CHECK_COMMAND ?? "");
  expect(check).toMatch(/\d+ passed/);
  expect(check).not.toMatch(/\d+ (failed|error)/);

  const train = pipeline.train as { script: string[] };
  for (const line of train.script) await job(line);
  const score = JSON.parse(
    await fs.readFile(path.join(project, "reports/ml_test_score.json"), "utf8"),
  ) as { sections: Record<string, number>; tests: Record<string, { points: number }> };
  for (const [section, points] of Object.entries(score.sections)) {
    expect(points, section).toBeGreaterThan(5);
  }
  // Full points need the test to pass *and* CI to run it: the GitLab pipeline counts.
  expect(score.tests.N1?.points).toBe(1);
  expect(score.tests.M1?.points).toBe(1);

  const rules = pipeline["monitoring-rules"] as { script: string[] };
  for (const line of rules.script) expect(await job(line)).toMatch(/SUCCESS/);

  // The pipeline and the Renovate config are valid for GitLab and Renovate.
  const lint = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), project], {
    all: true,
    reject: false,
  });
  expect(lint.exitCode, lint.all).toBe(0);
  expect(lint.all).toContain(
    `renovate-config-validator --strict: ${project}/.gitlab/renovate.json`,
  );
}
