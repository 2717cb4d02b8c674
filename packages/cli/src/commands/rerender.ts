import { projectTemplateVersion, type UpgradeResult, upgradeProject } from "@ds-service/codemods";
import {
  type Answers,
  type DatasetProfile,
  type GeneratedManifest,
  parseAnswers,
  serviceTemplateSource,
  ValidationError,
} from "@ds-service/generator";
import type { Logger } from "../io.js";
import { failOnConflicts, fileLines } from "./upgrade.js";

export interface RerenderFlags {
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  readonly json?: boolean;
}

/**
 * Re-renders the project in `dir` from a changed profile through the upgrade engine, on the
 * template it is already on: every file that depends on the profile follows it, the project's
 * own edits are 3-way merged, the apply is one transaction and `--dry-run` writes nothing.
 * `data refresh`, `add feature` and `remove feature` are all this, with another profile.
 */
export async function rerender(
  dir: string,
  manifest: GeneratedManifest,
  profile: DatasetProfile,
  flags: RerenderFlags,
  log: Logger,
  extra: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<UpgradeResult> {
  const version = projectTemplateVersion(manifest);
  if (version !== serviceTemplateSource.packageVersion) {
    throw new ValidationError(
      `the project is on template ${version}: run \`ds-service upgrade\` first, then change its data`,
    );
  }
  const answers: Answers = parseAnswers({ ...manifest.answers, dataset: profile });
  const result = await upgradeProject({
    dir,
    dryRun: flags.dryRun === true,
    allowDirty: flags.allowDirty === true,
    answers,
    ...(signal ? { signal } : {}),
  });
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
