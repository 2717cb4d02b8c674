import fs from "node:fs/promises";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { expect, it } from "vitest";

// A generated project's CI and deploy packs, checked where they land: its workflows with
// actionlint and zizmor, its Dockerfile through its own `make lint-docker`, and the guards of
// `make deploy` (which must refuse an image that is not pinned by digest).
it("generated workflows lint clean and the deploy targets work from the Makefile", async () => {
  const root = await testdir();
  const created = await runCli(["new", "ci-deploy", "--yes", "--no-install", "--no-git"], {
    cwd: root,
    env: { CI: "true" },
  });
  expect(created.exitCode, created.stderr).toBe(0);
  const project = path.join(root, "ci-deploy");

  const lint = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), project], {
    all: true,
    reject: false,
  });
  expect(lint.exitCode, lint.all).toBe(0);
  expect(lint.all).toContain(`zizmor --offline: ${project}/.github`);

  const make = (...args: string[]) =>
    execa("make", args, { cwd: project, all: true, reject: false, env: { CI: "true" } });
  const hadolint = await make("lint-docker");
  expect(hadolint.exitCode, hadolint.all).toBe(0);
  const help = await make("help");
  for (const target of ["lint-docker", "verify-base-images", "deploy", "rollback", "manifests"]) {
    expect(help.all).toContain(target);
  }
  const noImage = await make("deploy", "ENV=staging");
  expect(noImage.exitCode).not.toBe(0);
  expect(noImage.all).toContain("IMAGE=<registry>/<name>@sha256:<digest> is required");
  const byTag = await make("deploy", "ENV=prod", "IMAGE=ghcr.io/acme/ci-deploy:latest");
  expect(byTag.exitCode).not.toBe(0);

  // `make ray-wait` (CD's batch job waits with it) follows the RayJob's status as KubeRay
  // reports it over a run: a stand-in kubectl answers each poll from a list.
  const bin = path.join(root, "bin");
  await fs.mkdir(bin);
  const log = path.join(root, "kubectl.log");
  const statuses = path.join(root, "statuses");
  await fs.writeFile(
    path.join(bin, "kubectl"),
    `#!/bin/sh\necho "$*" >> '${log}'\nsed -n "$(wc -l < '${log}')p" '${statuses}'\n`,
    { mode: 0o755 },
  );
  const wait = async (answers: string[], ...vars: string[]) => {
    await fs.writeFile(statuses, `${answers.join("\n")}\n`);
    await fs.rm(log, { force: true });
    const r = await execa("make", ["ray-wait", "RUN_ID=run1", "POLL_SECONDS=0", ...vars], {
      cwd: project,
      all: true,
      reject: false,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    const polls = (await fs.readFile(log, "utf8")).trim().split("\n");
    return { code: r.exitCode, out: String(r.all), polls };
  };
  const ok = await wait(["Initializing/", "Running/RUNNING", "Complete/SUCCEEDED"]);
  expect(ok.code, ok.out).toBe(0);
  expect(ok.polls).toHaveLength(3);
  expect(ok.polls[0]).toMatch(/^-n ci-deploy-jobs get rayjob [a-z0-9-]+-batch-run1 -o jsonpath=/);
  const failed = await wait(["Running/RUNNING", "Complete/FAILED"]);
  expect(failed.code).not.toBe(0);
  expect(failed.out).toMatch(
    /-batch-run1: Complete\/FAILED \(kubectl -n ci-deploy-jobs describe rayjob/,
  );
  const broken = await wait(["Initializing/", "Failed/"]);
  expect(broken.code).not.toBe(0);
  expect(broken.polls).toHaveLength(2);
  const stuck = await wait(["Running/RUNNING"], "WAIT_MINUTES=0");
  expect(stuck.code).not.toBe(0);
  expect(stuck.out).toMatch(/still Running\/RUNNING after 0 minutes/);
});

it("--ci gitlab generates a schema-valid .gitlab-ci.yml and no GitHub workflows", async () => {
  const root = await testdir();
  const created = await runCli(
    ["new", "on-gitlab", "--yes", "--ci", "gitlab", "--no-install", "--no-git"],
    {
      cwd: root,
      env: { CI: "true" },
    },
  );
  expect(created.exitCode, created.stderr).toBe(0);
  const project = path.join(root, "on-gitlab");
  const lint = await execa("bash", [path.join(repoRoot, "scripts/lint-workflows.sh"), project], {
    all: true,
    reject: false,
  });
  expect(lint.exitCode, lint.all).toBe(0);
  expect(lint.all).toContain(`check-jsonschema vendor.gitlab-ci: ${project}/.gitlab-ci.yml`);
  await expect(fs.access(path.join(project, ".github"))).rejects.toThrow();
});
