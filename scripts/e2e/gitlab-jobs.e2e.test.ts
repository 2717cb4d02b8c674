import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { repoRoot, runCli, testdir } from "@ds-service/test-utils";
import { execa } from "execa";
import { expect, it } from "vitest";
import { parse } from "yaml";

// The GitLab pipeline's jobs that need tools of their own (kubectl, buildah, skopeo, promtool),
// run for real in a Debian bookworm root — what the pinned python:3.11-slim-bookworm job image
// is built on — since no container engine runs here. Each job's before_script runs verbatim,
// with the pipeline's variables; what the harness adds (a registry on loopback, python's pip as
// the official image has it) is marked. Needs root: scripts/e2e/debian-root.sh.

interface Job {
  extends?: string;
  variables?: Record<string, string>;
  before_script?: string[];
  script?: string[];
}
type Pipeline = Record<string, Job> & { variables: Record<string, string>; default: Job };

const debianRoot = path.join(repoRoot, "scripts/e2e/debian-root.sh");
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** A job as GitLab resolves it: `extends`, then the job; `default:`'s before_script if none. */
function resolve(pipeline: Pipeline, name: string): Required<Pick<Job, "before_script">> & Job {
  const job = pipeline[name];
  if (!job) throw new Error(`.gitlab-ci.yml has no job ${name}`);
  const base = job.extends ? (pipeline[job.extends] ?? {}) : {};
  const merged = { ...base, ...job, variables: { ...base.variables, ...job.variables } };
  return { ...merged, before_script: merged.before_script ?? pipeline.default.before_script ?? [] };
}

/** Writes a job script into the root and runs it under chroot; returns its output. */
async function runJob(root: string, name: string, env: Record<string, string>, lines: string[]) {
  const file = `/builds/${name}.sh`;
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`);
  const body = ["set -eo pipefail", ...exports, "cd /builds/project", ...lines, ""].join("\n");
  await fs.writeFile(path.join(root, file), body);
  const r = await execa("bash", [debianRoot, "run", root, file], { all: true, reject: false });
  expect(r.exitCode, `${name} failed:\n${r.all}`).toBe(0);
  return String(r.all);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it("the GitLab jobs install their tools on bookworm and kubectl, promtool and buildah work", async () => {
  const dir = await testdir();
  const root = path.join(dir, "root");
  const created = await execa("bash", [debianRoot, "create", root], { all: true, reject: false });
  expect(created.exitCode, created.all).toBe(0);
  await fs.mkdir(path.join(root, "builds"));
  const generated = await runCli(
    ["new", "project", "--name", "gl-jobs", "--yes", "--ci", "gitlab", "--no-install", "--no-git"],
    { cwd: path.join(root, "builds"), env: { CI: "true" } },
  );
  expect(generated.exitCode, generated.stderr).toBe(0);
  const pipeline = parse(
    await fs.readFile(path.join(root, "builds/project/.gitlab-ci.yml"), "utf8"),
  ) as Pipeline;
  // harness: where the host trusts extra CAs (copied in by debian-root.sh), so does uv.
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: the e2e suite runs through vitest, never turbo.
  const hostCa: Record<string, string> = process.env.SSL_CERT_FILE
    ? { SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" }
    : {};
  const envOf = (job: Job, extra: Record<string, string> = {}) => ({
    ...pipeline.variables,
    ...job.variables,
    CI: "true",
    GITLAB_CI: "true",
    ...hostCa,
    ...extra,
  });

  // Deploy jobs: Debian's kubectl renders both overlays; `make deploy` gets past its digest
  // guard and its image substitution and fails only where a cluster is needed.
  const kubectl = resolve(pipeline, "deploy-staging");
  await fs.writeFile(
    path.join(root, "builds/kubeconfig"),
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: none, cluster: {server: 'https://127.0.0.1:1'}}]",
      "users: [{name: none, user: {token: none}}]",
      "contexts: [{name: none, context: {cluster: none, user: none}}]",
      "current-context: none",
      "",
    ].join("\n"),
  );
  const image = `registry.example/group/gl-jobs@sha256:${"ab".repeat(32)}`;
  const deployed = await runJob(
    root,
    "deploy",
    envOf(kubectl, { KUBECONFIG: "/builds/kubeconfig", CI_ENVIRONMENT_NAME: "staging" }),
    [
      ...kubectl.before_script,
      "make manifests ENV=staging > /builds/staging.yaml",
      "make manifests ENV=prod > /builds/prod.yaml",
      // harness: the deploy must fail at the API server, nowhere before it.
      `if make deploy ENV=staging IMAGE=${image}; then echo 'deploy reached no cluster' >&2; exit 1; fi`,
    ],
  );
  expect(deployed).toMatch(/Client Version: v1\.\d+/);
  expect(deployed).toMatch(/127\.0\.0\.1:1|connection refused/);
  expect(deployed).not.toContain("image not substituted");
  for (const overlay of ["staging", "prod"]) {
    const manifests = await fs.readFile(path.join(root, `builds/${overlay}.yaml`), "utf8");
    expect(manifests).toContain("kind: Deployment");
    expect(manifests).toContain(`namespace: gl-jobs-${overlay}`);
  }

  // monitoring-rules: Debian's promtool checks and unit-tests the project's alert rules.
  const rules = resolve(pipeline, "monitoring-rules");
  const checked = await runJob(root, "rules", envOf(rules), [
    ...rules.before_script,
    ...(rules.script ?? []),
  ]);
  expect(checked).toMatch(/SUCCESS/);

  // build-image on the default branch: hadolint, the skopeo fallback of verify-base-images,
  // a buildah build, and the push by digest into a registry on loopback.
  const build = resolve(pipeline, "build-image");
  const port = await freePort();
  const registry = `127.0.0.1:${port}`;
  await fs.mkdir(path.join(root, "builds/context"));
  await fs.writeFile(path.join(root, "builds/context/hello.txt"), "hello\n");
  await fs.writeFile(
    path.join(root, "builds/context/Dockerfile"),
    "FROM scratch\nCOPY hello.txt /hello.txt\nUSER 10001:10001\n",
  );
  const script = build.script ?? [];
  const [lint, verify, buildah, push] = script;
  // build-ray-image (a batch pipeline) shares build-image's set-up and pushes its own digest.
  const rayBuild = resolve(pipeline, "build-ray-image");
  expect(rayBuild.before_script).toEqual(build.before_script);
  expect(lint).toBe("make lint-docker");
  expect(verify).toBe("make verify-base-images");
  expect(buildah).toMatch(/^buildah build /);
  expect(push).toMatch(/buildah push --digestfile/);
  const built = await runJob(
    root,
    "build",
    envOf(build, {
      PUSH_IMAGE: "true",
      CI_REGISTRY: registry,
      CI_REGISTRY_IMAGE: `${registry}/group/gl-jobs`,
      CI_REGISTRY_USER: "gitlab-ci-token",
      CI_REGISTRY_PASSWORD: "token",
      CI_COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
    }),
    [
      // harness: the official python image has pip; Debian's python needs it added.
      "apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-pip python-is-python3 curl >/dev/null",
      "export PIP_BREAK_SYSTEM_PACKAGES=1",
      ...build.before_script,
      // harness: a plain-HTTP registry on loopback stands in for GitLab's.
      "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
      "apt-get install -y -qq --no-install-recommends docker-registry >/dev/null",
      `printf 'version: 0.1\\nstorage: {filesystem: {rootdirectory: /var/lib/e2e-registry}}\\nhttp: {addr: "${registry}"}\\n' > /builds/registry.yml`,
      "docker-registry serve /builds/registry.yml > /builds/registry.log 2>&1 & registry_pid=$!",
      "trap 'kill $registry_pid' EXIT",
      `printf '[[registry]]\\nlocation = "${registry}"\\ninsecure = true\\n' > /etc/containers/registries.conf.d/60-e2e.conf`,
      `for _ in $(seq 50); do curl -fsS http://${registry}/v2/ >/dev/null 2>&1 && break; sleep 0.2; done`,
      lint ?? "",
      // harness: no Docker Hub here, so resolving the pinned base fails — through skopeo.
      `if ${verify} > /builds/verify.log 2>&1; then exit 1; fi; cat /builds/verify.log`,
      "cd /builds/context",
      buildah ?? "",
      push ?? "",
      "cat image.env",
      'skopeo inspect --tls-verify=false "docker://$(sed -n "s/^IMAGE=//p" image.env)" | grep -q Digest',
      ...(rayBuild.script ?? []),
      "cat ray-image.env",
      'skopeo inspect --tls-verify=false "docker://$(sed -n "s/^RAY_IMAGE=//p" ray-image.env)" | grep -q Digest',
    ],
  );
  expect(built).toMatch(/resolving python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}/);
  expect(built).not.toContain("needs docker or skopeo");
  const env = await fs.readFile(path.join(root, "builds/context/image.env"), "utf8");
  expect(env).toMatch(
    new RegExp(`^IMAGE_PUSHED=true\\nIMAGE=${registry}/group/gl-jobs@sha256:[0-9a-f]{64}\\n$`),
  );
  const rayEnv = await fs.readFile(path.join(root, "builds/context/ray-image.env"), "utf8");
  expect(rayEnv).toMatch(
    new RegExp(`^RAY_IMAGE=${registry}/group/gl-jobs@sha256:[0-9a-f]{64}\\n$`),
  );
});
