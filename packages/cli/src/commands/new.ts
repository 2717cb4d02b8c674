import path from "node:path";
import { createProject, generatorVersion, serviceTemplateSource } from "@ds-service/generator";
import type { Exec } from "../exec.js";
import type { Logger } from "../io.js";
import { initialCommit } from "../steps/git.js";
import { installDependencies } from "../steps/install.js";
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
  if (options.install) {
    log.info("Installing dependencies with uv (uv lock, uv sync)…");
    await installDependencies(deps.exec, options.targetDir);
  }
  if (options.git) {
    await initialCommit(deps.exec, options.targetDir, {
      generator: generatorVersion,
      template: serviceTemplateSource.packageVersion,
    });
    log.info("Initialized a git repository with the first commit.");
  }
  log.info(nextSteps(options, deps.cwd));
}

function nextSteps(options: ResolvedNewOptions, cwd: string): string {
  const dir = path.relative(cwd, options.targetDir) || ".";
  return [
    "",
    "Next steps:",
    `  cd ${dir}`,
    ...(options.install ? [] : ["  make setup        # uv sync: create the virtualenv"]),
    "  make train        # train, evaluate, gate and write artifacts/",
    "  make serve        # Open Inference Protocol service on http://127.0.0.1:8080",
    "  make check        # everything CI runs: lint, typecheck, test",
  ].join("\n");
}
