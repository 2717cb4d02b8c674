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
  setupCommand,
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

/** The post-steps these options ask for, in order: the tool steps need the install. */
function postSteps(options: CreateOptions): PostStepName[] {
  const git: PostStepName[] = options.git ? ["git"] : [];
  return [...toolStages(options).flat(), ...git];
}

/**
 * The tool steps in stages: each stage needs the ones before it (tune trains on the installed
 * environment and rewrites the training config the later steps read); the steps of one stage
 * need nothing of each other and run at once, each keeping a core busy.
 */
function toolStages(options: CreateOptions): ToolStep[][] {
  if (!options.install) return [];
  const tune: ToolStep[][] = options.answers.dataset?.source ? [["tune"]] : [];
  return [["install"], ...tune, ["contract", "budgets"]];
}

type ToolStep = Exclude<PostStepName, "git">;

interface PostStepsRun {
  readonly steps: readonly PostStep[];
  readonly baseRefs: readonly string[];
  readonly incomplete?: StepError;
}

/**
 * Install, tune, then record the contract and the budgets at once, commit. A
 * failed install (no uv, no network) does not stop the commit and its base ref — later upgrades
 * merge against that ref — and is returned to report what remains.
 */
async function runPostSteps(
  options: CreateOptions,
  exec: Exec,
  log: Logger,
): Promise<PostStepsRun> {
  const { targetDir, answers } = options;
  const steps: PostStep[] = [];
  let missed: StepError | undefined;
  const pkg = pythonPackage(answers.name);
  const work: Record<ToolStep, Work> = {
    install: {
      title: "Installing dependencies with uv",
      commands: "uv lock, uv sync",
      run: (exec) => installDependencies(exec, targetDir, answers.name),
    },
    tune: {
      title: "Tuning the model on your data",
      commands: setupCommand.tune,
      run: (exec) => tuneModel(exec, targetDir, pkg),
    },
    contract: {
      title: "Recording the contract callers rely on and the model to roll back to",
      commands: setupCommand.contract,
      run: (exec) => recordContract(exec, targetDir, pkg),
    },
    budgets: {
      title: "Measuring the performance budgets",
      commands: setupCommand.budgets,
      run: (exec) => recordBudgets(exec, targetDir, pkg),
    },
  };
  // Git runs after the tool steps whatever happened to them.
  const stages = toolStages(options);
  for (const [index, stage] of stages.entries()) {
    const run = await runStage(log, exec, stage, work);
    steps.push(...run.steps);
    if (run.failed) {
      missed = run.failed;
      // Each stage needs the ones before it: the rest are skipped, and listed to run by hand.
      for (const skipped of stages.slice(index + 1).flat()) {
        steps.push({ name: skipped, status: "skipped" });
      }
      break;
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
  // What did not happen, by hand.
  const remaining = [
    ...steps
      .filter((s) => s.status === "failed" || s.status === "skipped")
      .map((s) => setupCommand[s.name as ToolStep]),
    ...(options.git ? ['git add -A && git commit -m "chore: lock and install dependencies"'] : []),
  ];
  const incomplete = new StepError(
    `${missed.message}\n` +
      `${options.git ? "The project, its first commit and the base ref for upgrades are in place" : "The project is in place"}; ` +
      `what remains, in ${targetDir}: ${remaining.join(" && ")}`,
  );
  return { steps, baseRefs, incomplete };
}

interface Work {
  /** What the step does, as a progress line. */
  readonly title: string;
  /** What it runs, named as a person would run it. */
  readonly commands: string;
  readonly run: (exec: Exec) => Promise<void>;
}

/**
 * One stage's steps at once, shown as one step: every step runs to its end (an abort stops
 * them all), then the stage fails with the first step that failed.
 */
async function runStage(
  log: Logger,
  exec: Exec,
  stage: readonly ToolStep[],
  work: Record<ToolStep, Work>,
): Promise<{ steps: PostStep[]; failed?: StepError }> {
  const parts = stage.map((name) => work[name]);
  const title = new Intl.ListFormat("en").format(
    parts.map(({ title }, i) => (i === 0 ? title : title[0]?.toLowerCase() + title.slice(1))),
  );
  const commands = parts.map((part) => part.commands).join(", ");
  let outcomes: PromiseSettledResult<void>[] = [];
  const run = async (shown: Exec) => {
    outcomes = await Promise.allSettled(parts.map((part) => part.run(shown)));
    const errors = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    // A cancel or a bug goes up as it is; a tool that failed fails the stage.
    const unexpected = errors.find((e) => !(e instanceof StepError));
    if (unexpected !== undefined) throw unexpected;
    if (errors.length > 0) throw errors[0];
  };
  const step = `${title}${stage.length > 1 ? ", at once" : ""} (${commands})`;
  try {
    const seconds = await timed(log, exec, step, run);
    return { steps: stage.map((name) => ({ name, status: "done", seconds })) };
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    const steps = stage.map((name, i): PostStep => {
      const outcome = outcomes[i];
      if (outcome?.status !== "rejected") return { name, status: "done" };
      const message = outcome.reason instanceof Error ? outcome.reason.message : "";
      return { name, status: "failed", message };
    });
    return { steps, failed: error };
  }
}

/**
 * One step, and how long it took: the longest steps never look stuck. A logger that shows steps
 * live (`Logger.step`: a spinner on a terminal) gets the tools' output as it comes; any other
 * gets a line when the step starts and one when it is done (CI logs, pipes).
 */
async function timed(
  log: Logger,
  exec: Exec,
  step: string,
  run: (exec: Exec) => Promise<void>,
): Promise<number> {
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
  return seconds;
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
