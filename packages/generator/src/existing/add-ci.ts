import {
  applyToExisting,
  commandsWithOverrides,
  detectWithOverrides,
  type ExistingRepoOptions,
  type ExistingRepoResult,
  underRepoLock,
} from "./run.js";

/**
 * `ds-service add ci`: copies the CI pack into an existing Python repository, wired to the
 * commands it has (its Makefile targets, else its package manager and declared tools), and
 * records the files in `.ds-service/manifest.json` so upgrades keep them current.
 */
export async function addCi(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  return underRepoLock(options, "add ci", () => addCiLocked(options));
}

async function addCiLocked(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  const project = await detectWithOverrides(options);
  return applyToExisting(
    new Map(),
    "ci",
    { project, commands: commandsWithOverrides(project, options) },
    options,
  );
}
