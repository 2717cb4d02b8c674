import path from "node:path";
import {
  type CheckResult,
  checkProject,
  theirsSuffix,
  type UpgradeResult,
  upgradeProject,
} from "@ds-service/codemods";
import { type Exec, FindingsError } from "@ds-service/generator";
import type { Logger } from "../io.js";
import { projectRoot } from "../project-root.js";

export interface UpgradeFlags {
  readonly cwd?: string;
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  readonly json?: boolean;
}

/** What an upgrading command runs git with, and where the library's own messages go. */
export interface UpgradeCommandDeps {
  readonly exec: Exec;
  /** The library's messages (with --json, on stderr: stdout holds the one document). */
  readonly log: Logger;
  /** Ctrl-C: the upgrade stops and restores whatever it had written (exit 130). */
  readonly signal?: AbortSignal;
}

export async function upgradeCommand(
  flags: UpgradeFlags,
  cwd: string,
  log: Logger,
  deps: UpgradeCommandDeps,
): Promise<void> {
  const dir = await projectRoot(path.resolve(cwd, flags.cwd ?? "."));
  const result = await upgradeProject(
    { dir, dryRun: flags.dryRun === true, allowDirty: flags.allowDirty === true },
    deps,
  );
  if (flags.json) log.info(JSON.stringify(result, null, 2));
  else log.info(upgradeSummary(result));
  failOnConflicts(result);
}

/** Conflicts were written as markers (or side by side) for a person to resolve: exit 1. */
export function failOnConflicts(result: UpgradeResult): void {
  if (result.conflicts.length > 0) {
    throw new FindingsError(
      `${result.conflicts.length} file(s) need you: resolve the conflict markers (a file with a ${theirsSuffix} copy beside it: bring what you want from the copy into yours, then delete the copy), then run make check and commit`,
    );
  }
}

/**
 * One line per file a person should know about, as every upgrading command prints them: a
 * missing merge base first (it explains the conflicts), each move, each conflict, then each
 * file one side deleted (one already listed as a conflict is not repeated).
 */
export function fileLines(
  result: Pick<UpgradeResult, "conflicts" | "deletions" | "moves" | "baseRefs">,
): string[] {
  const conflicted = new Set(result.conflicts.map((c) => c.path));
  const base = result.baseRefs;
  return [
    ...(base.state === "missing" && base.hint ? [`  NO BASE: ${base.hint}`] : []),
    ...(base.state === "fetched" ? [`  Fetched the template base refs from ${base.remote}.`] : []),
    ...result.moves.map((m) => `  MOVED ${m.from} → ${m.to}: ${m.reason}`),
    ...result.conflicts.map((c) => `  CONFLICT ${c.path}: ${c.reason}`),
    ...result.deletions
      .filter((d) => !conflicted.has(d.path))
      .map((d) => `  DELETED ${d.path}: ${d.reason}`),
  ];
}

export function upgradeSummary(r: UpgradeResult): string {
  const lines: string[] = [];
  if (r.recovered > 0)
    lines.push(`Restored ${r.recovered} file(s) from an interrupted upgrade first.`);
  if (r.changed.length === 0) {
    lines.push(`Already up to date (${r.versionOf} ${r.to}): nothing to change.`);
    return lines.join("\n");
  }
  if (r.dryRun) lines.push(r.diff);
  lines.push(
    `${r.dryRun ? "Would upgrade" : "Upgraded"} ${r.versionOf} ${r.from} → ${r.to}: ${r.changed.length} file(s)` +
      (r.codemods.length > 0 ? `, codemods: ${r.codemods.join(", ")}` : ""),
  );
  lines.push(...fileLines(r));
  if (!r.dryRun) lines.push("Review with `git diff`, run `make check`, then commit.");
  return lines.join("\n");
}

export async function checkCommand(
  flags: { cwd?: string; json?: boolean },
  cwd: string,
  log: Logger,
  deps: UpgradeCommandDeps,
) {
  const dir = await projectRoot(path.resolve(cwd, flags.cwd ?? "."));
  const result = await checkProject(dir, deps);
  if (flags.json) log.info(JSON.stringify(result, null, 2));
  else log.info(checkSummary(result));
  if (result.drift.length > 0 || result.outdated) {
    throw new FindingsError(
      [
        ...result.drift.map((d) =>
          d.reason === "unincluded"
            ? `managed file not included: ${d.path} (.gitlab-ci.yml no longer includes it, so its jobs do not run: add \`include: [{local: ${d.path}}]\` back)`
            : `managed file ${d.reason}: ${d.path}`,
        ),
        ...(result.outdated
          ? [
              `${result.origin === "generated" ? "template" : "CI pack"} ${result.latestVersion} is available (project is on ${result.templateVersion}): run ds-service upgrade`,
            ]
          : []),
      ].join("\n"),
    );
  }
}

function checkSummary(r: CheckResult): string {
  const restored =
    r.recovered > 0 ? `Restored ${r.recovered} file(s) from an interrupted upgrade first.\n` : "";
  return restored + checkVerdict(r);
}

function checkVerdict(r: CheckResult): string {
  // A repository `add ci` or `adopt` wrote is on a CI pack version, not a template version.
  const what = r.origin === "generated" ? "template" : "CI pack";
  if (r.drift.length === 0 && !r.outdated) {
    return `OK: ${what} ${r.templateVersion} is current and no managed file drifted.`;
  }
  return `${what === "template" ? "Template" : "CI pack"} ${r.templateVersion} (latest ${r.latestVersion}); ${r.drift.length} managed file(s) drifted.`;
}
