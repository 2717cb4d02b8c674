import path from "node:path";
import {
  keepReviewed,
  type ProfileChange,
  parseAnswers,
  pointSourceFromProject,
  profileChanges,
  profileData,
  pythonPackage,
  readGeneratedManifest,
  tuneModel,
  ValidationError,
  withUnseenOther,
} from "@ds-service/generator";
import { commaList } from "../comma-list.js";
import type { Logger } from "../io.js";
import { projectRoot } from "../project-root.js";
import { rerender } from "./rerender.js";
import type { UpgradeCommandDeps } from "./upgrade.js";

export interface DataRefreshFlags {
  readonly data: string;
  /** Exactly these categorical features score an unseen category as "other"; absent: as before. */
  readonly unseenOther?: string;
  readonly cwd?: string;
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  readonly json?: boolean;
  /** `--no-tune`: leave confs/tuned.yaml and train.yaml's model: as they are. */
  readonly tune?: boolean;
}

/**
 * `ds-service data refresh --data <file>`: re-profile the project's data with the same target,
 * id, time, protected and excluded columns (and each categorical feature's choice for an unseen
 * category, unless `--unseen-other` gives it anew), show what changes in the schema, then
 * re-render every file from the new profile through the upgrade engine — the project's own
 * edits are 3-way merged, the apply is one transaction, `--dry-run` writes nothing. Then
 * `make tune`, since the recorded search described the old rows.
 */
export async function dataRefreshCommand(
  flags: DataRefreshFlags,
  cwd: string,
  log: Logger,
  /** The CLI's exec (the profiler, git, tune), the library's log, Ctrl-C (rolls back). */
  deps: UpgradeCommandDeps,
): Promise<void> {
  const { exec } = deps;
  const dir = await projectRoot(path.resolve(cwd, flags.cwd ?? "."));
  const manifest = await readGeneratedManifest(dir);
  const before = manifest.answers.dataset;
  if (!before) {
    throw new ValidationError(
      "this project trains on the demo data, not a profiled file: create one with `ds-service new --data <file> --target <column>`",
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
  const fresh = parseAnswers({ ...manifest.answers, dataset: profile }).dataset ?? before;
  const kept = keepReviewed(before, fresh);
  const after =
    flags.unseenOther === undefined ? kept : withUnseenOther(kept, commaList(flags.unseenOther));
  const changes = profileChanges(before, after);
  if (!flags.json) log.info(describeChanges(changes));
  await rerender(dir, manifest, after, flags, log, { schema: changes }, deps);
  if (!flags.dryRun && flags.tune !== false) {
    if (!flags.json) log.info("Tuning the model on the new data (make tune)…");
    await tuneModel(exec, dir, pythonPackage(manifest.answers.name));
  }
}

function describeChanges(changes: readonly ProfileChange[]): string {
  if (changes.length === 0) return "The new data has the same schema.";
  return [
    "Schema changes in the new data:",
    ...changes.map((c) => `  ${c.kind.padEnd(18)} ${c.column}${c.column ? ": " : ""}${c.detail}`),
  ].join("\n");
}
