import type { Answers } from "../answers.js";
import type { DatasetProfile } from "../dataset/profile.js";
import { CancelledError, DsServiceError, StepError } from "../errors.js";
import { generatorVersion, planProject } from "../generate.js";
import { pythonPackage } from "../names.js";
import type { Plan } from "../plan.js";
import { serviceTemplateSource } from "../sources.js";
import { assertTargetLocation } from "../target-location.js";
import { inspectTarget, recoverTarget, writePlan } from "../write.js";
import { recordBudgets } from "./budgets.js";
import { recordContract } from "./contract.js";
import type { Exec, Logger } from "./deps.js";
import { initialCommit } from "./git.js";
import { installDependencies } from "./install.js";
import {
  clearSetupPending,
  markSetupPending,
  recoverInterruptedSetup,
  removeCreated,
  setupCommands,
  targetBefore,
} from "./interrupted.js";
import { tuneModel } from "./tune.js";

export interface CreateOptions {
  readonly targetDir: string;
  /** Parsed at the edge (`parseAnswers`); the library takes them as they are. */
  readonly answers: Answers;
  /** `uv lock` and `uv sync`, then `make tune` for a project fitted to the user's data. */
  readonly install?: boolean;
  /** `git init`, the first commit and the base refs (refs/ds-service/*) upgrades merge against. */
  readonly git?: boolean;
  /** Check the target and render the plan only: no directory, no file, no tool run. */
  readonly dryRun?: boolean;
}

export interface CreateDeps {
  /** Runs uv and git for the post-steps; needed only with `install` or `git`. */
  readonly exec?: Exec;
  /** Progress: what was created, each step and how long it took. Silent by default. */
  readonly log?: Logger;
  /** Aborting cancels: nothing is left of the project, and CancelledError (exit 130) is thrown. */
  readonly signal?: AbortSignal;
}

export type PostStepName = "install" | "tune" | "contract" | "budgets" | "git";

/** `planned` only on a dry run; `skipped` after a failed step (each needs the one before). */
export type PostStepStatus = "done" | "failed" | "skipped" | "planned";

export interface PostStep {
  readonly name: PostStepName;
  readonly status: PostStepStatus;
  readonly seconds?: number;
  /** Why it failed. */
  readonly message?: string;
}

export interface CreateResult {
  readonly targetDir: string;
  readonly answers: Answers;
  readonly plan: Plan;
  readonly dryRun: boolean;
  /** The files written (on a dry run: that would be), relative to `targetDir`, sorted. */
  readonly files: readonly string[];
  /** Install, tune (a project fitted to data only), contract, budgets and git, in order. */
  readonly steps: readonly PostStep[];
  /** The refs recorded for `upgrade` to merge against; none without git. */
  readonly baseRefs: readonly string[];
  /**
   * A post-step failed after the project was complete (a tool missing or failing, exit 3): the
   * error says what remains to do by hand. The later steps still ran.
   */
  readonly incomplete?: StepError;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, bold: (text) => text };

const noExec: Exec = async (file) => {
  throw new DsServiceError(`createProject: running ${file} needs deps.exec`);
};

/**
 * Creates a project: check the target → render the plan → one journaled write → the post-steps
 * (install, tune, record the caller contract and the performance budgets, git with the base
 * refs). Bad input fails before
 * anything is written; a failure or abort while writing leaves nothing behind, and so does an
 * abort during a post-step (the target is as it was before, a pre-existing `.git` kept), so the
 * same call can run again.
 */
export async function createProject(
  options: CreateOptions,
  deps: CreateDeps = {},
): Promise<CreateResult> {
  const { targetDir, answers } = options;
  const { signal } = deps;
  const log = deps.log ?? silent;
  if (options.dryRun) {
    await inspectTarget(targetDir);
    await assertTargetLocation(targetDir);
    const plan = await planProject(answers, targetDir);
    return {
      ...created(options, plan, true),
      steps: postSteps(options).map((name) => ({ name, status: "planned" })),
      baseRefs: [],
    };
  }
  await recoverTarget(targetDir); // a `new` killed while writing: make the target empty again
  await recoverInterruptedSetup(targetDir, log); // killed during its set-up: the same
  const before = await targetBefore(targetDir);
  await inspectTarget(targetDir);
  await assertTargetLocation(targetDir);
  const plan = await planProject(answers, targetDir);
  await writePlan(plan, targetDir, signal ? { signal } : {});
  log.info(
    `Created ${log.bold(answers.name)} (${answers.task}) in ${targetDir} — ${plan.size} files`,
  );
  if (answers.dataset) log.info(describeDataset(answers.dataset));
  // Every tool a post-step runs stops with the call: an abort never leaves uv running on.
  const base = deps.exec ?? noExec;
  const exec: Exec = (file, args, o) => base(file, args, signal ? { ...o, signal } : o);
  try {
    const pending = postSteps(options).length > 0;
    if (pending) await markSetupPending(targetDir, before);
    const run = await runPostSteps(options, exec, log);
    // Aborted while a step failed for it: a cancel, not a half-installed project.
    if (run.incomplete && signal?.aborted) throw run.incomplete;
    // Done, or a step failed and said what remains: either way a stated state, not a kill.
    if (pending) await clearSetupPending(targetDir);
    return { ...created(options, plan, false), ...run };
  } catch (error) {
    if (!(error instanceof CancelledError) && !signal?.aborted) throw error;
    // A half-set-up project (files, uv.lock, .venv, no commit or base ref) would block a retry
    // as "not empty" and miss the base upgrades merge against: take it all back.
    await removeCreated(targetDir, before);
    throw new CancelledError(
      `cancelled (${error instanceof Error ? error.message : String(error)}): ` +
        `removed the partly set-up ${targetDir}; run the same command again`,
    );
  }
}

function created(options: CreateOptions, plan: Plan, dryRun: boolean) {
  const { targetDir, answers } = options;
  return { targetDir, answers, plan, dryRun, files: [...plan.keys()].sort() };
}

/** The post-steps these options ask for, in order: tune, contract and budgets need the install. */
function postSteps(options: CreateOptions): PostStepName[] {
  return [
    ...(options.install ? (["install"] as const) : []),
    ...(options.install && options.answers.dataset?.source ? (["tune"] as const) : []),
    ...(options.install ? (["contract", "budgets"] as const) : []),
    ...(options.git ? (["git"] as const) : []),
  ];
}

interface PostStepsRun {
  readonly steps: readonly PostStep[];
  readonly baseRefs: readonly string[];
  readonly incomplete?: StepError;
}

/**
 * Install, tune, record the contract and the budgets, commit. A failed install (no uv, no network) does not stop
 * the commit and its base ref — later upgrades merge against that ref — and is returned to report
 * what remains.
 */
async function runPostSteps(
  options: CreateOptions,
  exec: Exec,
  log: Logger,
): Promise<PostStepsRun> {
  const { targetDir, answers } = options;
  const steps: PostStep[] = [];
  let missed: StepError | undefined;
  if (options.install) {
    const pkg = pythonPackage(answers.name);
    const work: Record<Exclude<PostStepName, "git">, [string, (exec: Exec) => Promise<void>]> = {
      install: [
        "Installing dependencies with uv (uv lock, uv sync)",
        (exec) => installDependencies(exec, targetDir, answers.name),
      ],
      tune: [
        "Tuning the model on your data (make tune)",
        (exec) => tuneModel(exec, targetDir, pkg),
      ],
      contract: [
        "Recording the contract callers rely on and the model to roll back to (make contract-release)",
        (exec) => recordContract(exec, targetDir, pkg),
      ],
      budgets: [
        "Measuring the performance budgets (make budgets-record)",
        (exec) => recordBudgets(exec, targetDir, pkg),
      ],
    };
    // The tool steps `postSteps` asks for, in its order; git runs after them whatever happened.
    const planned = postSteps(options)
      .filter((name) => name !== "git")
      .map((name) => [name, ...work[name]] as const);
    for (const [index, [name, step, run]] of planned.entries()) {
      try {
        steps.push(await timed(log, exec, { name, step, run }));
      } catch (error) {
        if (!(error instanceof StepError)) throw error;
        missed = error;
        steps.push({ name, status: "failed", message: error.message });
        // Each step needs the one before it: the rest are skipped, and listed to run by hand.
        for (const [skipped] of planned.slice(index + 1)) {
          steps.push({ name: skipped, status: "skipped" });
        }
        break;
      }
    }
  }
  let baseRefs: readonly string[] = [];
  if (options.git) {
    baseRefs = await initialCommit(exec, targetDir, {
      generator: generatorVersion,
      template: serviceTemplateSource.packageVersion,
    });
    steps.push({ name: "git", status: "done" });
    log.info("Initialized a git repository with the first commit.");
    // git pushes branches and tags only: without these refs a teammate's clone cannot 3-way merge.
    log.info(
      "The template base for `ds-service upgrade` is kept in refs/ds-service/*: once you add a remote, share it with `git push origin 'refs/ds-service/*'` (upgrade fetches it in clones).",
    );
  }
  if (!missed) return { steps, baseRefs };
  const remaining = [
    ...setupCommands(Boolean(answers.dataset?.source)),
    ...(options.git ? ['git add -A && git commit -m "chore: lock and install dependencies"'] : []),
  ];
  const incomplete = new StepError(
    `${missed.message}\n` +
      `${options.git ? "The project, its first commit and the base ref for upgrades are in place" : "The project is in place"}; ` +
      `what remains, in ${targetDir}: ${remaining.join(" && ")}`,
  );
  return { steps, baseRefs, incomplete };
}

/**
 * One step, and how long it took: the longest steps never look stuck. A logger that shows steps
 * live (`Logger.step`: a spinner on a terminal) gets the tools' output as it comes; any other
 * gets a line when the step starts and one when it is done (CI logs, pipes).
 */
async function timed(
  log: Logger,
  exec: Exec,
  { name, step, run }: { name: PostStepName; step: string; run: (exec: Exec) => Promise<void> },
): Promise<PostStep> {
  const live = log.step?.(step);
  if (live === undefined) log.info(`${step}…`);
  const shown: Exec = live
    ? (file, args, o) => exec(file, args, { ...o, onOutput: live.output })
    : exec;
  const started = performance.now();
  try {
    await run(shown);
  } catch (error) {
    live?.failed();
    throw error;
  }
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  if (live) live.done(seconds);
  else log.info(`  done in ${seconds.toFixed(1)} s`);
  return { name, status: "done", seconds };
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
