import type { Exec } from "./deps.js";
import { runPythonModule } from "./python-step.js";

/**
 * `make contract-release` before the first commit: the contract callers of major 1 rely on
 * (inputs, outputs, classes, routes) and the model this code trains are committed with the
 * code, so the project's `make contract` has a baseline and its rollback test (I7) a
 * released model from its first CI run.
 */
export async function recordContract(exec: Exec, projectDir: string, pkg: string): Promise<void> {
  await runPythonModule(exec, projectDir, `${pkg}.jobs.release`);
}
