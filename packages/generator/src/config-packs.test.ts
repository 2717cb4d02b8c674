import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { derivePrometheusRule, monitoringRulesPath, prometheusRulePath } from "./derive.js";
import { planProject } from "./generate.js";
import type { Manifest } from "./manifest/index.js";
import { manifestPath } from "./manifest/index.js";
import type { Plan } from "./plan.js";

// The hardening rules every workflow we generate must keep. actionlint and zizmor run on the
// same files in scripts/lint-workflows.sh; these catch a regression without the tools.
const plan = await planProject(
  { name: "churn-model", task: "classification", ci: "github" },
  "/tmp/never",
);
const text = (p: Plan, rel: string) => p.get(rel)?.content.toString("utf8") ?? "";
const workflows = [...plan.keys()].filter((rel) => rel.startsWith(".github/workflows/"));

describe("config packs in a generated project", () => {
  it("composes config-python, config-ci and config-deploy as managed files with versions", () => {
    for (const rel of [
      ".editorconfig",
      ".pre-commit-config.yaml",
      "ruff-base.toml",
      "mypy.ini",
      "pytest.ini",
      ".coveragerc",
      ".github/dependabot.yml",
      ".github/workflows/ci.yml",
      ".github/workflows/cd.yml",
      ".github/workflows/batch.yml",
      ".github/workflows/codeql.yml",
      ".github/workflows/monitoring.yml",
      ".github/workflows/python-ci.yml",
      "SECURITY.md",
      "Dockerfile",
      ".dockerignore",
      "deploy/deploy.mk",
      "deploy/k8s/base/kustomization.yaml",
      "deploy/k8s/overlays/staging/kustomization.yaml",
      "deploy/k8s/overlays/prod/kustomization.yaml",
      "deploy/kserve/inferenceservice.yaml",
      "deploy/kserve/namespace.yaml",
    ]) {
      expect(plan.get(rel)?.ownership, rel).toBe("managed");
    }
    expect(plan.get("LICENSE")?.ownership).toBe("once");
    const manifest = JSON.parse(text(plan, manifestPath)) as Manifest;
    for (const pkg of ["config-python", "config-ci", "config-deploy"]) {
      expect(manifest.packages[`@ds-service/${pkg}`]).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it("keeps the shared tool config in config-python's files, which each tool finds itself", () => {
    const pyproject = text(plan, "pyproject.toml");
    expect(pyproject).toContain('extend = "ruff-base.toml"');
    // mypy.ini and pytest.ini win over pyproject.toml: a table left there would be dead config.
    expect(pyproject).not.toMatch(/\[tool\.(mypy|pytest|coverage)|\[tool\.ruff\./);
    expect(text(plan, "ruff-base.toml")).toMatch(/^select = \[/m);
    expect(text(plan, "mypy.ini")).toMatch(/^strict = True$[\s\S]*^plugins = pydantic\.mypy$/m);
    expect(text(plan, "mypy.ini")).toContain("[mypy-sklearn.*,joblib.*]");
    expect(text(plan, "pytest.ini")).toMatch(/^addopts = .*--strict-markers/m);
    expect(text(plan, "pytest.ini")).toMatch(/^ {4}ml_test_score\(\*ids\): /m);
    expect(text(plan, ".coveragerc")).toMatch(/^branch = True$/m);
  });

  it.each(workflows)("%s pins every action by SHA and starts from read-only permissions", (rel) => {
    const src = text(plan, rel);
    const doc = parse(src) as {
      permissions?: unknown;
      jobs: Record<
        string,
        {
          steps?: { uses?: string; run?: string; with?: Record<string, unknown> }[];
          uses?: string;
          "timeout-minutes"?: number;
        }
      >;
    };
    expect(doc.permissions).toEqual({ contents: "read" });
    for (const line of src.split("\n").filter((l) => /^\s*(- )?uses:/.test(l))) {
      const ref = line.replace(/^\s*(- )?uses:\s*/, "");
      if (ref.startsWith("./")) continue; // this repository's own reusable workflow
      expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    for (const [id, job] of Object.entries(doc.jobs)) {
      if (job.uses === undefined) expect(job["timeout-minutes"], `${rel} ${id}`).toBeGreaterThan(0);
      for (const step of job.steps ?? []) {
        if (step.run !== undefined) expect(step.run, `${rel} ${id}`).not.toMatch(/\$\{\{/);
        if (step.uses?.startsWith("actions/checkout@")) {
          expect(step.with?.["persist-credentials"], `${rel} ${id}`).toBe(false);
        }
      }
    }
  });

  it("keeps production behind its own environment and offers a rollback", () => {
    const cd = parse(text(plan, ".github/workflows/cd.yml")) as {
      on: { workflow_dispatch: { inputs: Record<string, unknown> } };
      jobs: Record<string, { environment?: string; needs?: string[]; if?: string }>;
    };
    expect(cd.jobs.production?.environment).toBe("production");
    expect(cd.jobs.production?.needs).toContain("staging");
    // A manual run for production skips staging; production must not be skipped with it.
    expect(cd.jobs.production?.if).toMatch(/!failure\(\) && !cancelled\(\)/);
    expect(Object.keys(cd.on.workflow_dispatch.inputs)).toEqual([
      "environment",
      "rollback",
      "image",
    ]);
    expect(text(plan, "deploy/deploy.mk")).toMatch(/^rollback:.*\n\tkubectl .* rollout undo/m);
  });

  it("deploys only a commit whose CI passed: CD calls CI first and builds only after it", () => {
    type Workflow = {
      on: Record<string, unknown>;
      jobs: Record<string, { uses?: string; needs?: string | string[]; if?: string }>;
    };
    const cd = parse(text(plan, ".github/workflows/cd.yml")) as Workflow;
    const ci = parse(text(plan, ".github/workflows/ci.yml")) as Workflow;
    expect(cd.jobs.ci?.uses).toBe("./.github/workflows/ci.yml");
    expect([cd.jobs.build?.needs].flat()).toContain("ci");
    // The build runs exactly when CI does: a build without CI would ship an unchecked commit.
    expect(cd.jobs.ci?.if).toBe(cd.jobs.build?.if);
    expect(Object.keys(ci.on)).toContain("workflow_call");
    // CD runs CI on main: a push trigger here too would check every commit twice.
    expect(Object.keys(ci.on)).not.toContain("push");
    // Every deploy job is downstream of the build, so of CI.
    for (const job of ["staging", "production"]) {
      expect([cd.jobs[job]?.needs].flat(), job).toContain("build");
    }
  });

  it("submits the batch RayJob from Actions with the Ray image it built, and waits for it", () => {
    type Step = { run?: string; with?: Record<string, string>; env?: Record<string, string> };
    const batch = parse(text(plan, ".github/workflows/batch.yml")) as {
      on: { workflow_dispatch: { inputs: Record<string, { required?: boolean }> } };
      jobs: Record<string, { needs?: string; if?: string; environment?: string; steps: Step[] }>;
    };
    const { inputs } = batch.on.workflow_dispatch;
    expect(Object.keys(inputs)).toEqual(["environment", "input", "output", "image"]);
    expect(inputs.input?.required && inputs.output?.required).toBe(true);
    const build = batch.jobs.image?.steps.find((s) => s.with?.["build-args"]);
    expect(build?.with?.["build-args"]).toBe("UV_GROUPS=ray");
    const score = batch.jobs.score;
    expect(score?.needs).toBe("image");
    // Given an image, the build is skipped and the batch must still run.
    expect(score?.if).toMatch(/!failure\(\) && !cancelled\(\)/);
    expect(score?.environment).toMatch(/^\$\{\{ inputs\.environment \}\}$/);
    const run = score?.steps.map((s) => s.run ?? "").join("\n") ?? "";
    expect(run).toMatch(/make ray-batch IMAGE="\$IMAGE" INPUT="\$INPUT" OUTPUT="\$OUTPUT" RUN_ID=/);
    expect(run).toMatch(/make ray-wait RUN_ID="\$RUN_ID"/);
    // The inputs reach the shell through env, never spliced into the script.
    expect(run).not.toContain("${{");
    const deployMk = text(plan, "deploy/deploy.mk");
    for (const target of ["ray-batch", "ray-wait"])
      expect(deployMk).toMatch(new RegExp(`^${target}:`, "m"));
  });

  it("gives dependabot a cooldown for uv, actions and docker", () => {
    const dependabot = parse(text(plan, ".github/dependabot.yml")) as {
      updates: { "package-ecosystem": string; cooldown?: { "default-days": number } }[];
    };
    expect(dependabot.updates.map((u) => u["package-ecosystem"])).toEqual([
      "uv",
      "github-actions",
      "docker",
    ]);
    for (const u of dependabot.updates) expect(u.cooldown?.["default-days"]).toBeGreaterThan(0);
  });

  it("gives Kubernetes longer to wait than the server's graceful shutdown takes", () => {
    // Past terminationGracePeriodSeconds the pod is SIGKILLed: in-flight requests would be cut
    // off before uvicorn's own bound (GRACEFUL_SHUTDOWN_SECONDS) let them finish.
    const deployment = parse(text(plan, "deploy/k8s/base/deployment.yaml"));
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds as number;
    const settings = text(plan, "src/churn_model/serve/settings.py");
    const shutdown = Number(
      /graceful_shutdown_seconds: int = Field\(default=(\d+)/.exec(settings)?.[1],
    );
    expect(shutdown).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(shutdown);
    const env = deployment.spec.template.spec.containers[0].env as { name: string }[];
    // An override in the manifest would have to be checked instead; there is none.
    expect(env.map((e) => e.name)).not.toContain("GRACEFUL_SHUTDOWN_SECONDS");
  });

  it("includes the deploy targets from the Makefile and renders the package name", () => {
    expect(text(plan, "Makefile")).toContain("-include deploy/deploy.mk");
    expect(text(plan, "Dockerfile")).not.toContain("jobs.train"); // trained before the build
    expect(text(plan, "Dockerfile")).toMatch(/^COPY artifacts\/ \/app\/artifacts\/$/m);
    expect(text(plan, "Dockerfile")).toMatch(/^USER 10001:10001$/m);
  });
});

describe("--ci gitlab", () => {
  it("renders .gitlab-ci.yml instead of the GitHub workflows and dependabot", async () => {
    const gitlab = await planProject(
      { name: "churn-model", task: "classification", ci: "gitlab" },
      "/tmp/never",
    );
    expect(gitlab.has(".gitlab-ci.yml")).toBe(true);
    expect([...gitlab.keys()].filter((rel) => rel.startsWith(".github/"))).toEqual([]);
    expect(plan.has(".gitlab-ci.yml")).toBe(false);
    const ci = parse(text(gitlab, ".gitlab-ci.yml")) as {
      variables: Record<string, string>;
      default: { image: string };
    };
    expect(ci.variables).toMatchObject({
      SETUP_COMMAND: "make setup",
      CHECK_COMMAND: "make check",
    });
    expect(ci.default.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(text(gitlab, manifestPath)).answers.ci).toBe("gitlab");
    // Review and dependency updates the GitLab way (ML Test Score M1, N1).
    for (const rel of [
      ".gitlab/CODEOWNERS",
      ".gitlab/merge_request_templates/Default.md",
      ".gitlab/renovate.json",
    ]) {
      expect(gitlab.get(rel)?.ownership, rel).toBe("managed");
    }
    expect(text(gitlab, ".gitignore")).toMatch(/^\.uv-cache\/$/m);
  });

  it("builds, pushes by digest, deploys to staging, then production behind a manual job", async () => {
    const gitlab = await planProject(
      { name: "churn-model", task: "regression", ci: "gitlab" },
      "/tmp/never",
    );
    type Job = {
      stage?: string;
      image?: string;
      needs?: string[];
      extends?: string;
      script?: string[];
      before_script?: string[];
      environment?: { name: string; action?: string };
      rules?: { if?: string; when?: string; allow_failure?: boolean }[];
      resource_group?: string;
      interruptible?: boolean;
      artifacts?: { reports?: { dotenv?: string } };
    };
    const raw = parse(text(gitlab, ".gitlab-ci.yml")) as Record<string, unknown>;
    const ci = raw as Record<string, Job>;
    const stages = raw.stages as string[];
    const variables = raw.variables as Record<string, string>;
    const jobs = Object.entries(ci).filter(([, job]) => typeof job?.stage === "string");
    expect(jobs.map(([name]) => name).sort()).toEqual(
      [
        "batch-score",
        "build-image",
        "build-ray-image",
        "check",
        "deploy-production",
        "deploy-staging",
        "monitoring-rules",
        "mutation",
        "online-eval",
        "rollback-production",
        "rollback-staging",
        "train",
      ].sort(),
    );
    for (const [name, job] of jobs) expect(stages, name).toContain(job.stage);
    for (const image of [variables.DEPLOY_IMAGE, ci.default?.image]) {
      expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    // Every make target a job calls exists in the generated Makefile or deploy.mk.
    const makefiles = text(gitlab, "Makefile") + text(gitlab, "deploy/deploy.mk");
    const commands = [
      ...Object.values(variables),
      ...Object.values(ci).flatMap((job) => [
        ...(job?.script ?? []),
        ...(job?.before_script ?? []),
      ]),
    ];
    const targets = commands.flatMap((c) =>
      // `apt-get install … make git` installs make; it calls no target.
      [
        ...String(c)
          .replace(/apt-get install[^&;\n]*/g, "")
          .matchAll(/\bmake ([a-z][\w-]*)/g),
      ].map((m) => m[1]),
    );
    expect(new Set(targets)).toEqual(
      new Set([
        "setup",
        "check",
        "train",
        "score",
        "monitoring-test",
        "online-eval",
        "mutate-ml",
        "mutate",
        "lint-docker",
        "verify-base-images",
        "deploy",
        "rollback",
        "ray-batch",
        "ray-wait",
      ]),
    );
    for (const target of targets) expect(makefiles).toMatch(new RegExp(`^${target}:`, "m"));
    // The image goes out by digest, through a dotenv report, to the jobs that need it.
    const build = ci["build-image"] as Job;
    expect(build.artifacts?.reports?.dotenv).toBe("image.env");
    expect(build.script?.join("\n")).toMatch(/buildah push --digestfile/);
    const staging = ci["deploy-staging"] as Job;
    const production = ci["deploy-production"] as Job;
    expect(staging.needs).toEqual(["build-image"]);
    expect(production.needs).toEqual(["build-image", "deploy-staging"]);
    expect(staging.script).toEqual(['make deploy ENV=staging IMAGE="$IMAGE"']);
    expect(production.script).toEqual(['make deploy ENV=prod IMAGE="$IMAGE"']);
    expect(production.environment?.name).toBe("production");
    expect(production.rules).toEqual([
      expect.objectContaining({ when: "manual", allow_failure: false }),
    ]);
    for (const name of [
      "deploy-staging",
      "deploy-production",
      "rollback-staging",
      "rollback-production",
    ]) {
      const job = ci[name] as Job;
      expect(job.extends, name).toBe(".kubectl");
      expect(job.resource_group, name).toBe(job.environment?.name);
    }
    expect((ci[".kubectl"] as Job).interruptible).toBe(false);
    // Only the build job touches the registry credentials.
    const usesRegistryPassword = Object.entries(ci)
      .filter(([, job]) => JSON.stringify(job).includes("CI_REGISTRY_PASSWORD"))
      .map(([name]) => name);
    expect(usesRegistryPassword).toEqual(["build-image", "build-ray-image"]);
    // A batch pipeline (BATCH_INPUT, BATCH_OUTPUT): the Ray image, then the RayJob, waited for;
    // no service image, no mutation testing, no online evaluation.
    const batch = ci["batch-score"] as Job;
    expect(batch.needs).toEqual(["build-ray-image"]);
    expect(batch.extends).toBe(".kubectl");
    expect(batch.script).toEqual([
      'make ray-batch IMAGE="$RAY_IMAGE" INPUT="$BATCH_INPUT" OUTPUT="$BATCH_OUTPUT" RUN_ID="gl-$CI_PIPELINE_ID"',
      'make ray-wait RUN_ID="gl-$CI_PIPELINE_ID"',
    ]);
    expect((ci["build-ray-image"] as Job).artifacts?.reports?.dotenv).toBe("ray-image.env");
    for (const name of ["batch-score", "build-ray-image"]) {
      expect((ci[name] as Job).rules?.[0]?.if, name).toMatch(/^\$BATCH_INPUT && \$BATCH_OUTPUT/);
    }
    for (const name of ["build-image", "mutation", "online-eval"]) {
      const first = (ci[name] as Job).rules?.[0];
      expect(first?.if, name).toContain("$BATCH_INPUT");
      expect(first?.when, name).toBe("never");
    }
  });
});

describe("derivePrometheusRule", () => {
  const rules = [
    "# Alerts for churn-model.",
    "groups:",
    "  - name: churn_model.drift",
    "    rules:",
    "      - alert: Drift",
    "        expr: |",
    "          max(churn_model_drift_score) > 0.2",
    "",
  ].join("\n");
  const withRules = (content: string): Plan => {
    const p: Plan = new Map(plan);
    p.set(monitoringRulesPath, {
      path: monitoringRulesPath,
      content: Buffer.from(content),
      ownership: "managed",
    });
    return p;
  };

  it("turns the project's Prometheus rules into the deployed PrometheusRule's spec", () => {
    const p = withRules(rules);
    derivePrometheusRule(p, "churn-model");
    const derived = parse(text(p, prometheusRulePath)) as {
      kind: string;
      metadata: { name: string };
      spec: { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
    };
    expect(derived.kind).toBe("PrometheusRule");
    expect(derived.metadata.name).toBe("churn-model");
    expect(derived.spec).toEqual(parse(rules));
    expect(p.get(prometheusRulePath)?.ownership).toBe("managed");
  });

  it("keeps the deploy pack's own alerts when there is no rules file", () => {
    const p: Plan = new Map(plan);
    derivePrometheusRule(p, "churn-model");
    expect(text(p, prometheusRulePath)).toBe(text(plan, prometheusRulePath));
    expect(text(plan, prometheusRulePath)).toContain("churn_model_model_ready");
  });

  it("refuses a rules file that is not a Prometheus rules document", () => {
    const p = withRules("apiVersion: v1\nkind: ConfigMap\n");
    expect(() => derivePrometheusRule(p, "churn-model")).toThrow(/groups:/);
  });
});
