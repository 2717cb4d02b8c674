import type { Exec } from "./deps.js";
import { runPythonModule } from "./python-step.js";

/**
 * `make tune` on the user's own data: before the first commit, so the first model trains with
 * hyperparameters searched for this data (ML Test Score M3), and after `data refresh`, whose new
 * rows the recorded search no longer describes. `confs/tuned.yaml` records the search. The demo
 * ships its own tuned values, so it skips this.
 */
export async function tuneModel(exec: Exec, projectDir: string, pkg: string): Promise<void> {
  await runPythonModule(exec, projectDir, `${pkg}.jobs.tune`, ["--apply"]);
}
