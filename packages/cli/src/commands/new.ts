import path from "node:path";
import {
  createProject,
  type DatasetProfile,
  generatorVersion,
  pythonPackage,
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
}

/** Generate, then the skippable post-steps: install (uv lock + sync), then git (init + commit). */
export async function newProject(options: ResolvedNewOptions, deps: NewDeps): Promise<void> {
  const { log } = deps;
  const result = await createProject({
    targetDir: options.targetDir,
    answers: options.answers,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  log.info(
    `Created ${log.bold(options.answers.name)} (${options.answers.task}) in ${options.targetDir} — ${result.plan.size} files`,
  );
  if (options.answers.dataset) log.info(describeDataset(options.answers.dataset));
  if (options.install) {
    log.info("Installing dependencies with uv (uv lock, uv sync)…");
    await installDependencies(deps.exec, options.targetDir);
    if (options.answers.dataset?.source) {
      log.info("Tuning the model on your data (make tune)…");
      await tuneModel(deps.exec, options.targetDir, pythonPackage(options.answers.name));
    }
  }
  if (options.git) {
    await initialCommit(deps.exec, options.targetDir, {
      generator: generatorVersion,
      template: serviceTemplateSource.packageVersion,
    });
    log.info("Initialized a git repository with the first commit.");
    // git pushes branches and tags only: without these refs a teammate's clone cannot 3-way merge.
    log.info(
      "The template base for `ds-service upgrade` is kept in refs/ds-service/*: once you add a remote, share it with `git push origin 'refs/ds-service/*'` (upgrade fetches it in clones).",
    );
  }
  log.info(nextSteps(options, deps.cwd));
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

function nextSteps(options: ResolvedNewOptions, cwd: string): string {
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
  ].join("\n");
}
