import path from "node:path";
import { CancelledError, DsServiceError, type StepHook } from "@ds-service/generator";
import pLimit from "p-limit";
import { checkProject } from "./check.js";
import type { Codemod } from "./codemod.js";
import { writeBase } from "./git.js";
import type { UpgradeDeps } from "./git-exec.js";
import { type ApplyUpgrade, runUpgrade, type UpgradeResult } from "./run-upgrade.js";
import { assertNewBranch, commitOnBranch, readHead, upgradeBranch } from "./upgrade-branch.js";
import { applyUpgradeTransaction } from "./upgrade-txn.js";

/**
 * `upgraded`: committed on its new branch (`would-upgrade` in a dry run); `conflicts`: left as
 * it was, for a person to run `ds-service upgrade`; `failed`: refused or a tool failed (a dirty
 * tree, a branch that exists, not a repository: the detail says); `crashed`: an internal error;
 * `cancelled`: Ctrl-C reached it (rolled back, or never started), left as it was.
 */
export type FleetStatus =
  | "upgraded"
  | "would-upgrade"
  | "current"
  | "conflicts"
  | "failed"
  | "crashed"
  | "cancelled";

/** One repository's outcome, with what its upgrade changed (or would) as `upgrade` reports it. */
export interface FleetEntry
  extends Partial<
    Pick<
      UpgradeResult,
      | "from"
      | "to"
      | "codemods"
      | "changed"
      | "conflicts"
      | "deletions"
      | "moves"
      | "baseRefs"
      | "recovered"
    >
  > {
  readonly path: string;
  readonly status: FleetStatus;
  readonly branch?: string;
  readonly detail?: string;
  /** With dryRun: the unified diff the branch's commit would hold. */
  readonly diff?: string;
}

export interface FleetOptions {
  readonly paths: readonly string[];
  /** Repositories upgraded at once; git and the file system, not the CPU, set the pace. */
  readonly concurrency?: number;
  readonly codemods?: readonly Codemod[];
  /** Plan every repository and report what would change; write nothing, make no branch. */
  readonly dryRun?: boolean;
  /** Called after every step of a repository's transaction, git steps included (tests stop there). */
  readonly onStep?: StepHook;
  /** Aborting (Ctrl-C) rolls back the repositories in flight and starts no other. */
  readonly signal?: AbortSignal;
}

/**
 * Upgrades many repositories, each on its own new branch with one commit, leaving every
 * repository on the branch it was on. Each is `upgrade`'s run (`runUpgrade`) whose apply
 * commits on a branch; a repository with conflicts is left exactly as it was (a person runs
 * `ds-service upgrade` there); one failure never stops the others. Every git call goes through
 * `deps.exec` (execa by default).
 */
export async function fleetUpgrade(
  options: FleetOptions,
  deps: UpgradeDeps = {},
): Promise<FleetEntry[]> {
  const limit = pLimit(options.concurrency ?? 4);
  const signal = options.signal ?? deps.signal;
  const resolved = { ...options, ...(signal ? { signal } : {}) };
  return Promise.all(
    options.paths.map((p) =>
      limit(() =>
        signal?.aborted
          ? cancelled(path.resolve(p), "not started: the fleet upgrade was cancelled")
          : upgradeOne(path.resolve(p), resolved, deps).catch((error: unknown) =>
              failed(path.resolve(p), error),
            ),
      ),
    ),
  );
}

/** A typed error is a refusal or a tool's failure; anything else is a bug, reported with its stack. */
function failed(dir: string, error: unknown): FleetEntry {
  if (error instanceof CancelledError) return cancelled(dir, error.message);
  if (error instanceof DsServiceError)
    return { path: dir, status: "failed", detail: error.message };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { path: dir, status: "crashed", detail };
}

function cancelled(dir: string, detail: string): FleetEntry {
  return { path: dir, status: "cancelled", detail };
}

async function upgradeOne(
  dir: string,
  options: FleetOptions,
  deps: UpgradeDeps,
): Promise<FleetEntry> {
  const onStep = options.onStep ?? (() => undefined);
  let branch: string | undefined;
  const onBranch: ApplyUpgrade = async (_dir, plan, changes, applyOptions) => {
    if (plan.conflicts.length > 0) return; // left exactly as it was
    branch = upgradeBranch(plan.to);
    await assertNewBranch(dir, branch, deps);
    const saved = { head: await readHead(dir, deps), branch: `refs/heads/${branch}` };
    const codemods = plan.codemods.length > 0 ? `\n\nCodemods: ${plan.codemods.join(", ")}` : "";
    const message = `chore: upgrade ds-service template ${plan.from} → ${plan.to}${codemods}`;
    // The base, the branch and its commit are the transaction's last step: a failure or a kill
    // at any point restores the files, the refs, HEAD, and deletes the half-made branch.
    const finish = async () => {
      await writeBase(dir, plan.to, plan.base, deps);
      await onStep("base");
      await commitOnBranch(dir, saved, message, onStep, deps);
    };
    await applyUpgradeTransaction(
      dir,
      changes,
      finish,
      { ...applyOptions, branch: saved, onStep },
      deps,
    );
  };
  const { diff, dryRun, ...result } = await runUpgrade(
    {
      dir,
      ...(options.codemods ? { codemods: options.codemods } : {}),
      dryRun: options.dryRun === true,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    "fleet upgrade",
    onBranch,
    deps,
  );
  const entry = { path: dir, ...result, ...(dryRun ? { diff } : {}) };
  if (result.changed.length === 0) return { ...entry, status: "current" };
  if (result.conflicts.length > 0) {
    return {
      ...entry,
      status: "conflicts",
      detail: result.conflicts.map((c) => c.path).join(", "),
    };
  }
  if (!dryRun) return { ...entry, status: "upgraded", ...(branch ? { branch } : {}) };
  // What the real run would meet: a branch an earlier run made is refused there too.
  const would = upgradeBranch(result.to);
  await assertNewBranch(dir, would, deps);
  return { ...entry, status: "would-upgrade", branch: would };
}

/** One row per repository for `fleet report`: its template version and drifted managed files. */
export interface FleetReportRow {
  readonly path: string;
  readonly templateVersion?: string;
  readonly latestVersion?: string;
  readonly outdated?: boolean;
  readonly drift: readonly string[];
  readonly error?: string;
}

/** One word per repository. Drift outranks an old version: a person must look at a drifted file. */
export function rowState(row: FleetReportRow): "error" | "drifted" | "outdated" | "current" {
  if (row.error) return "error";
  if (row.drift.length > 0) return "drifted";
  return row.outdated ? "outdated" : "current";
}

export async function fleetReport(
  paths: readonly string[],
  deps: UpgradeDeps = {},
): Promise<FleetReportRow[]> {
  const limit = pLimit(8);
  return Promise.all(
    paths.map((p) =>
      limit(async (): Promise<FleetReportRow> => {
        const dir = path.resolve(p);
        try {
          const r = await checkProject(dir, deps);
          return {
            path: dir,
            templateVersion: r.templateVersion,
            latestVersion: r.latestVersion,
            outdated: r.outdated,
            drift: r.drift.map((d) => `${d.path} (${d.reason})`),
          };
        } catch (error) {
          const message =
            error instanceof DsServiceError || error instanceof Error
              ? error.message
              : String(error);
          return { path: dir, drift: [], error: message };
        }
      }),
    ),
  );
}
