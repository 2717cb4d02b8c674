import { manifestPath } from "../manifest.js";
import type { Plan } from "../plan.js";
import { applyChanges, assertNoOverwrite, type Change, compareWithDisk } from "./apply.js";
import type { CiCommands } from "./commands.js";
import type { ProjectLayout } from "./detect.js";
import { readManifest, recordInManifest } from "./record.js";

export interface ExistingRepoOptions {
  readonly cwd: string;
  /** Overwrite existing files that differ (their diffs are still reported). */
  readonly force?: boolean;
  /** Report what would change; write nothing. */
  readonly dryRun?: boolean;
  /** Where CI runs (default github). */
  readonly ci?: "github" | "gitlab";
}

export interface ExistingRepoResult {
  readonly project: ProjectLayout;
  readonly commands: CiCommands;
  readonly changes: readonly Change[];
  readonly written: boolean;
}

/**
 * Records the plan in the manifest, compares everything with the repository and writes it as
 * one unit — unless it is a dry run, or an existing file would be overwritten without `force`
 * (a ValidationError carrying the diffs; nothing is written). `mayUpdate` lists files this
 * command is allowed to change in place (the manifest always is).
 */
export async function applyToExisting(
  plan: Plan,
  context: { project: ProjectLayout; commands: CiCommands; packages: Record<string, string> },
  options: ExistingRepoOptions,
  mayUpdate: readonly string[] = [],
): Promise<ExistingRepoResult> {
  const full: Plan = new Map(plan);
  full.set(
    manifestPath,
    recordInManifest(await readManifest(options.cwd), plan, context.packages, {
      provider: options.ci ?? "github",
      ...context.commands,
    }),
  );
  const changes = await compareWithDisk(full, options.cwd);
  const result = { project: context.project, commands: context.commands, changes };
  if (options.dryRun) return { ...result, written: false };
  if (!options.force) assertNoOverwrite(changes, new Set([manifestPath, ...mayUpdate]));
  await applyChanges(changes, options.cwd);
  return { ...result, written: true };
}
