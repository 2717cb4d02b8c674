import { applyPlan, stateDirFor, withRepository } from "../apply/index.js";
import { manifestPath } from "../manifest.js";
import type { Plan } from "../plan.js";
import type { CiCommands } from "./commands.js";
import { assertNoOverwrite, type Change, compareWithDisk } from "./compare.js";
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
  const ops = changes
    .filter((c) => c.kind !== "unchanged")
    .map((c) => ({ path: c.file.path, content: c.file.content }));
  if (ops.length > 0) {
    await applyPlan(options.cwd, ops, { stateDir: await stateDirFor(options.cwd) });
  }
  return { ...result, written: true };
}

/**
 * Runs a command on an existing repository under its lock, after recovering an interrupted
 * one, so what it detects and plans is a consistent tree. A dry run writes nothing, not even
 * a lock.
 */
export function underRepoLock<T>(
  options: ExistingRepoOptions,
  command: string,
  fn: () => Promise<T>,
): Promise<T> {
  return options.dryRun ? fn() : withRepository(options.cwd, command, fn);
}
