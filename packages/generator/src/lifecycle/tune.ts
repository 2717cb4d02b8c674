import { type Exec, mustRun } from "./deps.js";
import { pythonStepEnv } from "./python-env.js";

/**
 * `make tune` on the user's own data: before the first commit, so the first model trains with
 * hyperparameters searched for this data (ML Test Score M3), and after `data refresh`, whose new
 * rows the recorded search no longer describes. `confs/tuned.yaml` records the search. The demo
 * ships its own tuned values, so it skips this.
 */
export async function tuneModel(exec: Exec, projectDir: string, pkg: string): Promise<void> {
  await mustRun(exec, "uv", ["run", "python", "-m", `${pkg}.jobs.tune`, "--apply"], {
    cwd: projectDir,
    env: { ...pythonStepEnv },
  });
}
