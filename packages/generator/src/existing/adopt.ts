import fs from "node:fs/promises";
import path from "node:path";
import { makefileTargets } from "./detect.js";
import { withMissingTargets } from "./makefile.js";
import { planAdoptedConfig } from "./recorded-pack.js";
import {
  applyToExisting,
  commandsWithOverrides,
  detectWithOverrides,
  type ExistingRepoOptions,
  type ExistingRepoResult,
  underRepoLock,
} from "./run.js";

/**
 * `ds-service adopt`: brings an existing data-science repository under management without
 * touching its code — the standard Makefile targets it lacks (appended, never rewritten), the
 * managed editor config, the CI pack wired to those targets, and the manifest.
 */
export async function adopt(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  return underRepoLock(options, "adopt", () => adoptLocked(options));
}

async function adoptLocked(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  const detected = await detectWithOverrides(options);
  const current = await fs
    .readFile(path.join(options.cwd, "Makefile"), "utf8")
    .catch(() => undefined);
  const makefile = withMissingTargets(current, detected);
  const project = makefile ? { ...detected, makeTargets: makefileTargets(makefile) } : detected;
  const plan = planAdoptedConfig();
  if (makefile) {
    plan.set("Makefile", { path: "Makefile", content: Buffer.from(makefile), ownership: "merged" });
  }
  // Appending the missing targets keeps every existing rule: that edit needs no --force.
  const context = { project, commands: commandsWithOverrides(project, options) };
  return applyToExisting(plan, "adopted", context, options, ["Makefile"]);
}
