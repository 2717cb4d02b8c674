import path from "node:path";
import {
  type CreateResult,
  createProject,
  errorReport,
  type PostStepName,
} from "@ds-service/generator";
import type { Exec } from "../exec.js";
import { type Logger, reportedAsJson } from "../io.js";
import type { ResolvedNewOptions } from "./resolve-new-options.js";

export interface NewDeps {
  readonly exec: Exec;
  readonly log: Logger;
  /** Where the steps' progress goes (default `log`): stderr under --json, so stdout is one document. */
  readonly progress?: Logger;
  /** Where the user ran the command; next steps print paths relative to it. */
  readonly cwd: string;
  readonly signal?: AbortSignal;
  /** `npm_config_user_agent`: which package manager to name for `ds-service upgrade`. */
  readonly userAgent?: string;
}

/**
 * Creates the project with its skippable post-steps — install (uv lock + sync), then git (init +
 * commit + base refs) — through the library (`createProject`), and prints what it did.
 */
export async function newProject(options: ResolvedNewOptions, deps: NewDeps): Promise<void> {
  const { log, signal } = deps;
  const result = await createProject(
    {
      targetDir: options.targetDir,
      answers: options.answers,
      install: options.install,
      git: options.git,
      dryRun: options.dryRun,
    },
    { exec: deps.exec, log: deps.progress ?? log, ...(signal ? { signal } : {}) },
  );
  if (options.json) {
    log.info(JSON.stringify(jsonResult(result), null, 2));
    // The error is in the document already: main prints it as text only.
    if (result.incomplete) reportedAsJson.add(result.incomplete);
  } else if (result.dryRun) {
    log.info(dryRunSummary(result));
  } else {
    log.info(nextSteps(options, deps.cwd, deps.userAgent));
  }
  if (result.incomplete) throw result.incomplete;
}

/** `new --json`: where, which files, which post-steps and how each went (and a failed one's error). */
function jsonResult(result: CreateResult) {
  return {
    projectDir: result.targetDir,
    name: result.answers.name,
    task: result.answers.task,
    dryRun: result.dryRun,
    files: result.files,
    steps: result.steps,
    baseRefs: result.baseRefs,
    ...(result.incomplete ? { error: errorReport(result.incomplete) } : {}),
  };
}

const stepWords: Record<PostStepName, string> = {
  install: "uv lock and uv sync",
  tune: "make tune",
  contract: "make contract-release (record the contract callers rely on and the released model)",
  budgets: "make budgets-record (measure the performance budgets)",
  git: "git init, the first commit and the base refs for upgrades (refs/ds-service/*)",
};

/** `new --dry-run`: every file that would be written, then the steps that would run. */
function dryRunSummary(result: CreateResult): string {
  const { answers, files, steps } = result;
  return [
    `Would create ${answers.name} (${answers.task}) in ${result.targetDir} — ${files.length} files:`,
    ...files.map((file) => `  ${file}`),
    ...(steps.length > 0 ? [`Then: ${steps.map((s) => stepWords[s.name]).join("; ")}.`] : []),
    "Nothing was written (--dry-run).",
  ].join("\n");
}

/**
 * How this person runs ds-service later, from the package manager that started this one
 * (`npm_config_user_agent`: "pnpm/10.1.0 npm/? node/v20…"); npx when unknown.
 */
export function dsServiceRunner(userAgent: string | undefined): string {
  const manager = userAgent?.split("/")[0];
  if (manager === "pnpm") return "pnpm dlx @ds-service/cli";
  if (manager === "yarn") return "yarn dlx @ds-service/cli";
  if (manager === "bun") return "bunx @ds-service/cli";
  return "npx @ds-service/cli";
}

function nextSteps(options: ResolvedNewOptions, cwd: string, userAgent?: string): string {
  const dir = path.relative(cwd, options.targetDir) || ".";
  return [
    "",
    "Next steps:",
    `  cd ${dir}`,
    ...(options.install ? [] : ["  make setup        # uv sync: create the virtualenv"]),
    ...(!options.install && options.answers.dataset?.source
      ? ["  make tune         # search hyperparameters for your data"]
      : []),
    "  make train        # train, evaluate, gate and write artifacts/",
    "  make serve        # Open Inference Protocol service on http://127.0.0.1:8080",
    "  make check        # everything CI runs: lint, typecheck, test, contract",
    "",
    `Later, to take a new template version: ${dsServiceRunner(userAgent)} upgrade`,
  ].join("\n");
}
