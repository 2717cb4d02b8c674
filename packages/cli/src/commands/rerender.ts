import { rerenderProject, type UpgradeResult } from "@ds-service/codemods";
import type { DatasetProfile, GeneratedManifest } from "@ds-service/generator";
import type { Logger } from "../io.js";
import { failOnConflicts, fileLines, type UpgradeCommandDeps } from "./upgrade.js";

export interface RerenderFlags {
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  readonly json?: boolean;
}

/**
 * Re-renders the project in `dir` from a changed profile (the codemods' `rerenderProject`) and
 * prints what changed: the diff on a dry run, the files, or the result as JSON with `extra`.
 * `data refresh`, `add feature` and `remove feature` are all this, with another profile.
 */
export async function rerender(
  dir: string,
  manifest: GeneratedManifest,
  profile: DatasetProfile,
  flags: RerenderFlags,
  log: Logger,
  extra: Record<string, unknown>,
  /** git through the CLI's exec, the library's messages, Ctrl-C (the re-render rolls back). */
  deps: UpgradeCommandDeps,
): Promise<UpgradeResult> {
  const result = await rerenderProject(
    { dir, manifest, profile, dryRun: flags.dryRun, allowDirty: flags.allowDirty },
    deps,
  );
  if (flags.json) {
    log.info(JSON.stringify({ ...extra, ...result }, null, 2));
  } else {
    const lines: string[] = [];
    if (result.dryRun && result.diff) lines.push(result.diff);
    lines.push(`${result.dryRun ? "Would change" : "Changed"} ${result.changed.length} file(s).`);
    lines.push(...fileLines(result));
    if (!result.dryRun && result.changed.length > 0) {
      lines.push("Review with `git diff`, run `make check`, then commit.");
    }
    log.info(lines.join("\n"));
  }
  failOnConflicts(result);
  return result;
}
