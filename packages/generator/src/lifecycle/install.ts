import { lockSeed } from "@ds-service/template-service";
import { StepError } from "../errors.js";
import { type Exec, mustRun } from "./deps.js";
import { writeSeededLock } from "./lock-seed.js";

/**
 * `uv lock` then `uv sync`: the lockfile is part of the first commit, and the virtualenv is ready
 * for `make check`. uv downloads nothing it can avoid; it uses the Python already installed.
 * The lock starts from the template's seed (lock-seed.ts): the versions its CI tested.
 */
export async function installDependencies(
  exec: Exec,
  projectDir: string,
  projectName: string,
  seed: URL | undefined = lockSeed,
): Promise<void> {
  const probe = await exec("uv", ["--version"], { cwd: projectDir }).catch((error: unknown) => {
    // Not on PATH is expected on a fresh machine; anything else is a real failure.
    if (error instanceof StepError) return undefined;
    throw error;
  });
  if (probe?.exitCode !== 0) {
    throw new StepError(
      "the project was created, but `uv` was not found, so dependencies were not installed.\n" +
        "Install uv (`pip install uv` or https://docs.astral.sh/uv/), then run `make setup` in the project.",
    );
  }
  await writeSeededLock(projectDir, projectName, seed);
  await mustRun(exec, "uv", ["lock"], { cwd: projectDir });
  // No --compile-bytecode: the project's steps cache what they import (python-step.ts).
  await mustRun(exec, "uv", ["sync"], { cwd: projectDir });
}
