import fs from "node:fs/promises";
import path from "node:path";
import {
  CancelledError,
  createProject,
  type DatasetProfile,
  generatorVersion,
  pythonPackage,
  StepError,
  serviceTemplateSource,
} from "@ds-service/generator";
import type { Exec } from "../exec.js";
import type { Logger } from "../io.js";
import { initialCommit } from "../steps/git.js";
import { installDependencies } from "../steps/install.js";
import { tuneModel } from "../steps/tune.js";
import type { ResolvedNewOptions } from "./resolve-new-options.js";

export interface NewDeps {
  readonly exec: Exec;
  readonly log: Logger;
  /** Where the user ran the command; next steps print paths relative to it. */
  readonly cwd: string;
  readonly signal?: AbortSignal;
  /** `npm_config_user_agent`: which package manager to name for `ds-service upgrade`. */
  readonly userAgent?: string;
}

/** Generate, then the skippable post-steps: install (uv lock + sync), then git (init + commit). */
export async function newProject(options: ResolvedNewOptions, deps: NewDeps): Promise<void> {
  const { log, signal } = deps;
  const before = await targetBefore(options.targetDir);
  const result = await createProject({
    targetDir: options.targetDir,
    answers: options.answers,
    ...(signal ? { signal } : {}),
  });
  log.info(
    `Created ${log.bold(options.answers.name)} (${options.answers.task}) in ${options.targetDir} — ${result.plan.size} files`,
  );
  if (options.answers.dataset) log.info(describeDataset(options.answers.dataset));
  // Every tool a post-step runs stops with the command: Ctrl-C never leaves uv running on.
  const exec: Exec = (file, args, o) => deps.exec(file, args, signal ? { ...o, signal } : o);
  try {
    const missed = await postSteps(options, exec, log);
    log.info(nextSteps(options, deps.cwd, deps.userAgent));
    if (missed) throw missed;
  } catch (error) {
    if (!(error instanceof CancelledError) && !signal?.aborted) throw error;
    // A half-set-up project (files, uv.lock, .venv, no commit or base ref) would block a retry
    // as "not empty" and miss the base upgrades merge against: take it all back.
    await removeCreated(options.targetDir, before);
    throw new CancelledError(
      `cancelled (${error instanceof Error ? error.message : String(error)}): ` +
        `removed the partly set-up ${options.targetDir}; run the same command again`,
    );
  }
}

/**
 * Install, tune, commit. A failed install (no uv, no network) does not stop the commit and its
 * base ref — later upgrades merge against that ref — and is returned to report what remains.
 */
async function postSteps(
  options: ResolvedNewOptions,
  exec: Exec,
  log: Logger,
): Promise<StepError | undefined> {
  let missed: StepError | undefined;
  if (options.install) {
    try {
      await timed(log, "Installing dependencies with uv (uv lock, uv sync)", () =>
        installDependencies(exec, options.targetDir),
      );
      if (options.answers.dataset?.source) {
        await timed(log, "Tuning the model on your data (make tune)", () =>
          tuneModel(exec, options.targetDir, pythonPackage(options.answers.name)),
        );
      }
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      missed = error;
    }
  }
  if (options.git) {
    await initialCommit(exec, options.targetDir, {
      generator: generatorVersion,
      template: serviceTemplateSource.packageVersion,
    });
    log.info("Initialized a git repository with the first commit.");
    // git pushes branches and tags only: without these refs a teammate's clone cannot 3-way merge.
    log.info(
      "The template base for `ds-service upgrade` is kept in refs/ds-service/*: once you add a remote, share it with `git push origin 'refs/ds-service/*'` (upgrade fetches it in clones).",
    );
  }
  if (!missed) return undefined;
  const remaining = [
    "make setup",
    ...(options.answers.dataset?.source ? ["make tune"] : []),
    ...(options.git ? ['git add -A && git commit -m "chore: lock and install dependencies"'] : []),
  ];
  return new StepError(
    `${missed.message}\n` +
      `${options.git ? "The project, its first commit and the base ref for upgrades are in place" : "The project is in place"}; ` +
      `what remains, in ${options.targetDir}: ${remaining.join(" && ")}`,
  );
}

/** One step line, and how long it took: the longest steps never look stuck. */
async function timed(log: Logger, step: string, run: () => Promise<void>): Promise<void> {
  log.info(`${step}…`);
  const started = performance.now();
  await run();
  log.info(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

interface TargetBefore {
  readonly existed: boolean;
  readonly entries: ReadonlySet<string>;
}

/** What the target held before `new` (absent, or empty but for `.git`): what a cancel restores. */
async function targetBefore(target: string): Promise<TargetBefore> {
  const entries = await fs.readdir(target).catch(() => undefined);
  return { existed: entries !== undefined, entries: new Set(entries ?? []) };
}

async function removeCreated(target: string, before: TargetBefore): Promise<void> {
  if (!before.existed) {
    await fs.rm(target, { recursive: true, force: true });
    return;
  }
  for (const entry of await fs.readdir(target).catch(() => [])) {
    if (!before.entries.has(entry)) {
      await fs.rm(path.join(target, entry), { recursive: true, force: true });
    }
  }
}

/** What the project was fitted to, so the user can see at once whether the profile is right. */
function describeDataset(profile: DatasetProfile): string {
  const categorical = profile.features.filter((f) => f.kind === "categorical").length;
  const nullable = profile.features.filter((f) => f.nulls > 0).length;
  const { target } = profile;
  const labels = target.classes
    ? `: ${target.classes.map((c) => `${c.value} (${c.count})`).join(", ")}`
    : "";
  const other = profile.features.filter((f) => f.kind === "categorical" && f.unseen === "other");
  return [
    `Fitted to ${profile.source?.file ?? "the demo data"}: ${profile.rows} rows, ${profile.features.length} features`,
    `(${categorical} categorical, ${nullable} with missing values); target ${target.name}, ${target.task}${labels}.`,
    ...(other.length > 0
      ? [`An unseen category of ${other.map((f) => f.name).join(", ")} is scored as "other".`]
      : []),
    "Review confs/data.yaml, the schema (src/*/core/schemas.py) and confs/features.yaml: they are yours now.",
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
    "  make check        # everything CI runs: lint, typecheck, test",
    "",
    `Later, to take a new template version: ${dsServiceRunner(userAgent)} upgrade`,
  ].join("\n");
}
