import path from "node:path";
import { projectTemplateVersion, upgradeProject } from "@ds-service/codemods";
import {
  type ProfileChange,
  parseAnswers,
  profileChanges,
  readManifest,
  serviceTemplateSource,
  ValidationError,
} from "@ds-service/generator";
import type { Exec } from "../exec.js";
import type { Logger } from "../io.js";
import { pointSourceFromProject, profileData } from "../steps/profile-data.js";
import { FindingsError } from "./upgrade.js";

export interface DataRefreshFlags {
  readonly data: string;
  readonly cwd?: string;
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  readonly json?: boolean;
}

/**
 * `ds-service data refresh --data <file>`: re-profile the project's data with the same target,
 * id, time, protected and excluded columns, show what changes in the schema, then re-render
 * every file from the new profile through the upgrade engine — the project's own edits are
 * 3-way merged, the apply is one transaction, `--dry-run` writes nothing.
 */
export async function dataRefreshCommand(
  flags: DataRefreshFlags,
  cwd: string,
  log: Logger,
  exec: Exec,
): Promise<void> {
  const dir = path.resolve(cwd, flags.cwd ?? ".");
  const manifest = await readManifest(dir);
  const before = manifest.answers.dataset;
  if (!before) {
    throw new ValidationError(
      "this project trains on the demo data, not a profiled file: create one with `ds-service new --data <file> --target <column>`",
    );
  }
  const version = projectTemplateVersion(manifest);
  if (version !== serviceTemplateSource.packageVersion) {
    throw new ValidationError(
      `the project is on template ${version}: run \`ds-service upgrade\` first, then refresh its data`,
    );
  }
  const file = path.resolve(cwd, flags.data);
  const profile = await profileData(
    exec,
    {
      file: flags.data,
      target: before.target.name,
      task: before.target.task,
      ...(before.id ? { id: before.id } : {}),
      ...(before.time ? { time: before.time } : {}),
      protected: before.protected,
      exclude: before.excluded,
    },
    cwd,
  );
  pointSourceFromProject(profile, file, dir);
  const answers = parseAnswers({ ...manifest.answers, dataset: profile });
  const changes = answers.dataset ? profileChanges(before, answers.dataset) : [];
  const result = await upgradeProject({
    dir,
    dryRun: flags.dryRun === true,
    allowDirty: flags.allowDirty === true,
    answers,
  });
  if (flags.json) {
    log.info(JSON.stringify({ schema: changes, ...result }, null, 2));
  } else {
    const lines = [describeChanges(changes)];
    if (result.dryRun && result.diff) lines.unshift(result.diff);
    const verb = result.dryRun ? "Would change" : "Changed";
    lines.push(`${verb} ${result.changed.length} file(s) for the new data.`);
    for (const c of result.conflicts) lines.push(`  CONFLICT ${c.path}: ${c.reason}`);
    if (!result.dryRun && result.changed.length > 0) {
      lines.push(
        "Review with `git diff`, run `make check` (it retrains on the new data), then commit.",
      );
    }
    log.info(lines.join("\n"));
  }
  if (result.conflicts.length > 0) {
    throw new FindingsError(
      `${result.conflicts.length} file(s) need you: resolve the conflict markers, then run make check and commit`,
    );
  }
}

function describeChanges(changes: readonly ProfileChange[]): string {
  if (changes.length === 0) return "The new data has the same schema.";
  return [
    "Schema changes in the new data:",
    ...changes.map((c) => `  ${c.kind.padEnd(18)} ${c.column}${c.column ? ": " : ""}${c.detail}`),
  ].join("\n");
}
