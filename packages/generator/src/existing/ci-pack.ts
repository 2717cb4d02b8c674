import * as configCi from "@ds-service/config-ci";
import { type Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ValidationError } from "../errors.js";
import { outputPath } from "../paths.js";
import type { Plan } from "../plan.js";
import type { CiCommands } from "./commands.js";
import { securityPolicyForExisting } from "./security-policy.js";

export const configCiSource = configCi;

/** The config-ci files `add ci` copies: CI, its reusable workflow, CodeQL, dependabot, policy. */
const ciPackFiles = [
  "_github/workflows/ci.yml",
  "_github/workflows/python-ci.yml",
  "_github/workflows/codeql.yml",
  "_github/dependabot.yml",
  "SECURITY.md",
] as const;

/** A config-ci file without its leading comment, which describes a generated service: each
 * rendering for an existing repository writes its own. */
function sourceBody(source: string): string {
  return sourceText(source).replace(/^(#.*\n|\s*\n)*/, "");
}

function sourceText(source: string): string {
  const file = configCi.files.find((f) => f.source === source);
  if (file?.content === undefined)
    throw new Error(`@ds-service/config-ci has no plain file ${source}`);
  return file.content;
}

/**
 * ci.yml with the repository's own commands. The image job calls the deploy pack's make targets
 * (lint-docker, verify-base-images), so it stays only where those exist; the monitoring-rules
 * job (make monitoring-test) never does.
 */
export function renderCiWorkflow(commands: CiCommands, options: { imageJob: boolean }): string {
  // The template's header describes a generated model service; this repository gets its own.
  const body = sourceBody("_github/workflows/ci.yml");
  const doc = parseDocument(body);
  const withPath = ["jobs", "check", "with"];
  if (!isMap(doc.getIn(withPath))) throw new Error("config-ci's ci.yml has no jobs.check.with");
  doc.setIn([...withPath, "python-version"], commands.pythonVersion);
  doc.setIn([...withPath, "uv"], commands.uv);
  doc.setIn([...withPath, "setup"], commands.setup);
  doc.setIn([...withPath, "check"], commands.check);
  // Training, its ML Test Score and its artifact are a model-service convention, not an
  // arbitrary repo's: left in, `make score` would fail every run.
  doc.deleteIn([...withPath, "train"]);
  doc.deleteIn([...withPath, "score"]);
  doc.deleteIn([...withPath, "promtool"]);
  doc.deleteIn([...withPath, "artifact-path"]);
  // DATA_SOURCE is the training data's address: nothing here trains.
  doc.deleteIn(["jobs", "check", "secrets"]);
  if (!options.imageJob) doc.deleteIn(["jobs", "image"]);
  // A generated service's image carries the model the check job trained; here nothing trains.
  else dropStep(doc, ["jobs", "image", "steps"], /^Download the gated model/);
  // The rules it tests come with a generated service's monitoring pack, not with `add ci`.
  doc.deleteIn(["jobs", "monitoring-rules"]);
  // A generated service's CD calls ci.yml on main; `add ci` brings no CD, so CI runs on
  // pushes to main itself (and the comment saying CD calls it goes with the trigger).
  doc.deleteIn(["on", "workflow_call"]);
  doc.setIn(["on", "push"], doc.createNode({ branches: ["main"] }, { flow: false }));
  const trigger = isMap(doc.contents)
    ? doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === "on")
    : undefined;
  if (trigger && isScalar(trigger.key)) trigger.key.commentBefore = undefined;
  doc.commentBefore =
    " CI for this repository, added by `ds-service add ci`: it runs the commands found here.\n" +
    " Change them in the `with:` block below; the steps are in python-ci.yml.";
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * python-ci.yml for a repository that did not come from the template: the steps it runs and
 * nothing else. Training, the ML Test Score, the model upload and the data secret are a
 * model service's; the install step is named for what it does, locked or not.
 */
export function renderPythonCi(): string {
  const body = sourceBody("_github/workflows/python-ci.yml");
  const doc = parseDocument(body);
  const inputs = ["on", "workflow_call", "inputs"];
  if (!isMap(doc.getIn(inputs))) throw new Error("config-ci's python-ci.yml has no inputs");
  for (const input of ["train", "score", "promtool", "artifact-path"])
    doc.deleteIn([...inputs, input]);
  doc.deleteIn(["on", "workflow_call", "secrets"]);
  doc.setIn([...inputs, "setup", "description"], "Installs the repository's dependencies.");
  doc.setIn([...inputs, "uv", "description"], "Install uv (the repository uses uv).");
  const steps = ["jobs", "check", "steps"];
  dropStep(doc, steps, /^(Train|Install promtool|ML Test Score|Upload what training wrote)/);
  const seq = doc.getIn(steps);
  for (const step of isSeq(seq) ? seq.items : []) {
    if (!isMap(step)) continue;
    if (String(step.get("name")).startsWith("Install the locked environment"))
      step.set("name", "Install dependencies");
    const env = step.get("env");
    if (isMap(env)) env.delete("DATA_SOURCE");
  }
  doc.commentBefore =
    " The steps of this repository's CI, added by `ds-service add ci` and called by ci.yml:\n" +
    " set up Python (and uv when the repository uses it), then run its own commands. Commands\n" +
    " come in as inputs and run through `bash -c` from the environment, never expanded into the\n" +
    " script text, so an input cannot inject shell.";
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** dependabot.yml for the ecosystems the repository uses, its header saying which. */
export function renderDependabot(options: { uv: boolean; dockerfile: boolean }): string {
  const doc = parseDocument(sourceBody("_github/dependabot.yml"));
  const kept = [
    options.uv ? "the uv.lock dependencies" : "the pip requirements",
    "the SHA-pinned actions",
    ...(options.dockerfile ? ["the Dockerfile's base images"] : []),
  ];
  doc.commentBefore =
    ` Keeps ${kept.slice(0, -1).join(", ")} and ${kept.at(-1)} of this repository current.\n` +
    " A 7-day cooldown lets a bad or compromised release be caught before it arrives (security\n" +
    " updates are not delayed).";
  const updates = doc.get("updates");
  if (!isSeq(updates)) throw new Error("config-ci's dependabot.yml has no updates list");
  updates.items = updates.items.filter((item) => {
    const ecosystem = isMap(item) ? item.get("package-ecosystem") : undefined;
    return ecosystem !== "docker" || options.dockerfile;
  });
  if (!options.uv) {
    // poetry and pip projects are both the `pip` ecosystem.
    const python = updates.items.find((i) => isMap(i) && i.get("package-ecosystem") === "uv");
    if (isMap(python)) python.set("package-ecosystem", "pip");
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Job images pinned by digest (see the pins README), for the versions whose digest is known. */
const pythonImages: Record<string, string> = {
  "3.11":
    "python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b",
  "3.12":
    "python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254",
};

/** Jobs of config-ci's pipeline that need a generated service's Makefile (deploy.mk, monitoring). */
const serviceOnlyGitlabJobs = [
  "monitoring-rules",
  "online-eval",
  "mutation",
  ".kubectl",
  "deploy-staging",
  "deploy-production",
  "rollback-staging",
  "rollback-production",
  "build-ray-image",
  "batch-score",
];

/**
 * .gitlab-ci.yml with the repository's own commands. Training, the ML Test Score, the alert
 * rules and deployment are a model service's; the image job (make lint-docker,
 * verify-base-images) stays only where those targets exist, as on GitHub.
 */
export function renderGitlabCi(commands: CiCommands, options: { imageJob: boolean }): string {
  const body = sourceBody("_gitlab-ci.yml");
  const doc = parseDocument(body);
  if (!isMap(doc.get("variables"))) throw new Error("config-ci's .gitlab-ci.yml has no variables");
  doc.setIn(["variables", "SETUP_COMMAND"], commands.setup);
  doc.setIn(["variables", "CHECK_COMMAND"], commands.check);
  doc.setIn(["variables", "TRAIN_COMMAND"], "");
  doc.setIn(["variables", "SCORE_COMMAND"], "");
  doc.deleteIn(["variables", "DEPLOY_IMAGE"]);
  for (const job of serviceOnlyGitlabJobs) doc.delete(job);
  // The train job (off here: TRAIN_COMMAND is empty) waited for the alert-rule result too.
  doc.setIn(["train", "needs"], ["check"]);
  if (!options.imageJob) {
    doc.delete("build-image");
    doc.delete(".buildah");
  }
  // The service's image waits for the train job's model; here no train job runs.
  else doc.setIn(["build-image", "needs"], ["check"]);
  const stages = doc.get("stages");
  if (!isSeq(stages)) throw new Error("config-ci's .gitlab-ci.yml has no stages");
  // Only the stages some remaining job runs in.
  const jobs = Object.values(doc.toJS() as Record<string, { stage?: unknown } | null>);
  const used = new Set(jobs.map((job) => job?.stage));
  stages.items = stages.items.filter((stage) => used.has(String(stage)));
  const version = commands.pythonVersion.split(".").slice(0, 2).join(".");
  // A version without a known digest gets its tag, said so on the line: the Python the
  // repository runs matters more than a pin, and a pinned other Python broke real installs.
  doc.setIn(["default", "image"], pythonImages[version] ?? `python:${version}-slim-bookworm`);
  const imageNode = doc.getIn(["default", "image"], true);
  if (pythonImages[version] === undefined && isScalar(imageNode))
    imageNode.comment =
      " not pinned: no digest of this tag is known to ds-service; pin it (@sha256:…)";
  doc.commentBefore =
    " GitLab CI for this repository, added by `ds-service add ci --ci gitlab`: it runs the\n" +
    " commands found here. Change them in `variables:` below.";
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * `--beside`: the pack's workflows under names of their own, so the repository's CI, its file
 * names and the status checks its rulesets require stay as they are. dependabot.yml and
 * SECURITY.md are one per repository: beside a repository's own CI they stay the repository's.
 */
const besidePaths: Record<string, string> = {
  ".github/workflows/ci.yml": ".github/workflows/ds-service-ci.yml",
  ".github/workflows/python-ci.yml": ".github/workflows/ds-service-python-ci.yml",
  ".github/workflows/codeql.yml": ".github/workflows/ds-service-codeql.yml",
};

/** A workflow's text renamed for `--beside`: its `name:` and the reusable workflow it calls. */
function besideWorkflow(text: string): string {
  return text
    .replace(/^name: (.*)$/m, "name: ds-service $1")
    .replaceAll("./.github/workflows/python-ci.yml", "./.github/workflows/ds-service-python-ci.yml")
    .replace(/^(\s+)name: Check$/m, "$1name: ds-service check");
}

/** Where the GitLab pack's jobs go with `--beside`: a file the repository's pipeline includes. */
export const gitlabBesidePath = ".gitlab/ds-service-ci.yml";
const besidePrefix = "ds-service-";

/**
 * GitLab `--beside`: the pack's jobs as a file `.gitlab-ci.yml` includes, living with the
 * repository's own jobs in one pipeline. An included file's global keys would govern the
 * repository's jobs too, so there are none: `workflow:` is the repository's, `default:` and
 * `variables:` become a hidden job the pack's jobs extend, and every job runs in `stage` (one
 * the repository's pipeline has). Job names get a `ds-service-` prefix so none replaces one of
 * the repository's. The train job is left out, as it never runs in an existing repository.
 */
export function renderGitlabBeside(
  commands: CiCommands,
  options: { imageJob: boolean; stage: string },
): string {
  const doc: Document = parseDocument(renderGitlabCi(commands, { imageJob: options.imageJob }));
  const shared = `.${besidePrefix}defaults`;
  const defaults = doc.get("default");
  if (!isMap(defaults)) throw new Error("config-ci's .gitlab-ci.yml has no default");
  const variables = doc.get("variables");
  if (isMap(variables))
    for (const unused of ["TRAIN_COMMAND", "SCORE_COMMAND"]) variables.delete(unused);
  defaults.set("variables", variables);
  for (const key of ["workflow", "stages", "variables", "default", "train"]) doc.delete(key);
  const renamed = (job: string) =>
    job.startsWith(".") ? `.${besidePrefix}${job.slice(1)}` : `${besidePrefix}${job}`;
  const jobs = doc.contents;
  if (!isMap(jobs)) throw new Error("config-ci's .gitlab-ci.yml is not a map of jobs");
  for (const pair of jobs.items) {
    const job = pair.value;
    if (!isScalar(pair.key) || !isMap(job)) continue;
    const name = String(pair.key.value);
    pair.key.value = renamed(name);
    if (name.startsWith(".")) continue;
    const parents = job.get("extends");
    job.delete("extends");
    const extended = [shared, ...(parents === undefined ? [] : [renamed(String(parents))])];
    job.items.unshift(doc.createPair("extends", extended));
    job.set("stage", options.stage);
    const needs = job.get("needs");
    if (isSeq(needs)) {
      // A need is a job's name or `{job: <name>, artifacts: …}`; only the name matters here.
      const needed = needs.items
        .map((need) => String(isMap(need) ? need.get("job") : need))
        .filter((name) => name !== "train");
      needs.items = needed.map((name) => doc.createNode(renamed(name)));
    }
  }
  jobs.items.unshift(doc.createPair(shared, defaults));
  doc.commentBefore =
    " The ds-service CI jobs for this repository, beside its own: `.gitlab-ci.yml` includes this\n" +
    " file (`ds-service add ci --ci gitlab --beside`). Change the commands in the variables below.";
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The stage the pack's jobs take beside a pipeline whose `stages:` are `declared` (absent:
 * GitLab's default build, test, deploy): `test` where there is one, else the first stage, so
 * the checks run early.
 */
export function besideStageFor(declared: readonly string[] | undefined): string {
  if (declared === undefined || declared.includes("test")) return "test";
  const first = declared.find((stage) => stage !== ".pre" && stage !== ".post");
  if (first === undefined) throw new ValidationError("the pipeline's stages: list names no stage");
  return first;
}

/** One `include:` entry: does it name the pack's jobs file (`local:` or a bare path)? */
function includesPackJobs(node: unknown): boolean {
  const local = isMap(node) ? node.get("local") : isScalar(node) ? node.value : "";
  return String(local ?? "").replace(/^\//, "") === gitlabBesidePath;
}

/**
 * Whether a repository's `.gitlab-ci.yml` still includes the pack's jobs file: without the line
 * `--beside` added, the jobs it holds never run, though the file itself is unchanged. A pipeline
 * that is not YAML includes nothing.
 */
export function pipelineIncludesBeside(pipeline: string): boolean {
  const doc: Document = parseDocument(pipeline);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return false;
  return includeEntries(doc).some(includesPackJobs);
}

/** A pipeline's `include:` entries: a list's items, or the one entry a single value is. */
function includeEntries(doc: Document): unknown[] {
  const include = doc.get("include", true);
  return isSeq(include) ? include.items : include === undefined ? [] : [include];
}

/**
 * `.gitlab-ci.yml` with an `include:` of the pack's file added; unchanged if it has one. The
 * repository's file is its own: the lines are inserted into its text, and only an `include:`
 * written in flow style or as one string is rewritten through the YAML document.
 */
export function includeBeside(pipeline: string): string {
  const doc: Document = parseDocument(pipeline);
  if (doc.errors.length > 0)
    throw new ValidationError(`.gitlab-ci.yml is not valid YAML: ${doc.errors[0]?.message}`);
  if (!isMap(doc.contents))
    throw new ValidationError(".gitlab-ci.yml is not a map of jobs: nothing can be included");
  const include = doc.get("include", true);
  const listed = includeEntries(doc);
  if (listed.some(includesPackJobs)) return pipeline;
  const item = `- local: ${gitlabBesidePath}`;
  if (include === undefined) {
    // After the file's leading comments, which describe the whole pipeline.
    const head = /^(?:#.*\n|[ \t]*\n)*/.exec(pipeline)?.[0] ?? "";
    return `${head}include:\n  ${item}\n\n${pipeline.slice(head.length)}`;
  }
  const block = /^include:[ \t]*(?:#.*)?\n((?:[ \t]*(?:#.*)?\n)*)([ \t]+)- /m.exec(pipeline);
  const indent = block?.[2];
  if (isSeq(include) && !include.flow && block && indent !== undefined) {
    const at = block.index + block[0].length - indent.length - 2;
    return `${pipeline.slice(0, at)}${indent}${item}\n${pipeline.slice(at)}`;
  }
  doc.set("include", doc.createNode([...listed, { local: gitlabBesidePath }]));
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The CI pack for an existing repository, as a plan of managed files. */
export function planCiPack(
  commands: CiCommands,
  options: {
    dockerfile: boolean;
    imageJob: boolean;
    provider?: "github" | "gitlab";
    beside?: boolean;
    besideStage?: string;
  },
): Plan {
  const plan: Plan = new Map();
  if (options.beside && options.provider === "gitlab") {
    const text = renderGitlabBeside(commands, {
      imageJob: options.imageJob,
      stage: options.besideStage ?? "test",
    });
    const content = Buffer.from(text, "utf8");
    plan.set(gitlabBesidePath, { path: gitlabBesidePath, content, ownership: "managed" });
    return plan;
  }
  if (options.beside) {
    const full = planCiPack(commands, { ...options, beside: false });
    for (const [from, to] of Object.entries(besidePaths)) {
      const text = besideWorkflow(full.get(from)?.content.toString("utf8") ?? "");
      plan.set(to, { path: to, content: Buffer.from(text, "utf8"), ownership: "managed" });
    }
    return plan;
  }
  if (options.provider === "gitlab") {
    for (const [rel, text] of [
      [".gitlab-ci.yml", renderGitlabCi(commands, { imageJob: options.imageJob })],
      // GitLab has no dependabot: Renovate reads .gitlab/renovate.json.
      [".gitlab/renovate.json", sourceText("_gitlab/renovate.json")],
      ["SECURITY.md", securityPolicyForExisting(sourceText("SECURITY.md"), "gitlab")],
    ] as const) {
      plan.set(rel, { path: rel, content: Buffer.from(text, "utf8"), ownership: "managed" });
    }
    return plan;
  }
  for (const source of ciPackFiles) {
    const rel = outputPath(source, "unused");
    const text =
      source === "_github/workflows/ci.yml"
        ? renderCiWorkflow(commands, { imageJob: options.imageJob })
        : source === "_github/workflows/python-ci.yml"
          ? renderPythonCi()
          : source === "_github/dependabot.yml"
            ? renderDependabot({ uv: commands.uv, dockerfile: options.dockerfile })
            : source === "SECURITY.md"
              ? securityPolicyForExisting(sourceText(source), "github")
              : sourceText(source);
    plan.set(rel, { path: rel, content: Buffer.from(text, "utf8"), ownership: "managed" });
  }
  return plan;
}

/** Removes the steps whose `name` matches from the sequence at `path`. */
function dropStep(doc: Document, path: readonly string[], name: RegExp): void {
  const steps = doc.getIn(path);
  if (!isSeq(steps)) throw new Error(`config-ci's ci.yml has no ${path.join(".")}`);
  steps.items = steps.items.filter((step) => !(isMap(step) && name.test(String(step.get("name")))));
}
