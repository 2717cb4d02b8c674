import { type Exec, mustRun } from "./deps.js";

/**
 * `make contract-release` before the first commit: the contract callers of major 1 rely on
 * (inputs, outputs, classes, routes) is committed with the code that serves it, so the
 * project's `make contract` has a baseline from its first CI run.
 */
export async function recordContract(exec: Exec, projectDir: string, pkg: string): Promise<void> {
  await mustRun(exec, "uv", ["run", "python", "-m", `${pkg}.serve.contract`, "release"], {
    cwd: projectDir,
  });
}
