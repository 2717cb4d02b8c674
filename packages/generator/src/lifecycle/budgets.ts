import type { Exec } from "./deps.js";
import { runPythonModule } from "./python-step.js";

/**
 * `make budgets-record` before the first commit: what each feature's transform and one request
 * cost on this project, in units of a reference workload (the template's `io/budgets.py`), so
 * the project's D3 and N6 tests fail a 3x slowdown on any machine from the first CI run.
 */
export async function recordBudgets(exec: Exec, projectDir: string, pkg: string): Promise<void> {
  await runPythonModule(exec, projectDir, `${pkg}.io.budgets`, ["record"]);
}
