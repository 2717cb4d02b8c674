import path from "node:path";
import { DsServiceError } from "@ds-service/generator";
import { execa } from "execa";
import pLimit from "p-limit";
import { checkProject } from "./check.js";
import type { Codemod } from "./codemod.js";
import { dirtyPaths, writeBase } from "./git.js";
import { registry } from "./registry.js";
import { planUpgrade } from "./upgrade.js";
import { applyUpgradeTransaction, transactionDir, withUpgradeLock } from "./upgrade-txn.js";

export type FleetStatus = "upgraded" | "current" | "conflicts" | "failed";

export interface FleetEntry {
  readonly path: string;
  readonly status: FleetStatus;
  readonly from?: string;
  readonly to?: string;
  readonly branch?: string;
  readonly detail?: string;
}

export interface FleetOptions {
  readonly paths: readonly string[];
  /** Repositories upgraded at once; git and the file system, not the CPU, set the pace. */
  readonly concurrency?: number;
  readonly codemods?: readonly Codemod[];
}

const identity = [
  "-c",
  "user.name=ds-service",
  "-c",
  "user.email=ds-service@users.noreply.localhost",
];

/**
 * Upgrades many repositories, each on its own new branch with one commit, leaving every
 * repository on the branch it was on. A repository with conflicts is left exactly as it was
 * (a person runs `ds-service upgrade` there); one failure never stops the others.
 */
export async function fleetUpgrade(options: FleetOptions): Promise<FleetEntry[]> {
  const limit = pLimit(options.concurrency ?? 4);
  return Promise.all(
    options.paths.map((p) =>
      limit(() =>
        upgradeOne(path.resolve(p), options.codemods ?? registry).catch(
          (error: unknown): FleetEntry => ({
            path: path.resolve(p),
            status: "failed",
            detail: error instanceof Error ? error.message : String(error),
          }),
        ),
      ),
    ),
  );
}

async function upgradeOne(dir: string, codemods: readonly Codemod[]): Promise<FleetEntry> {
  await transactionDir(dir); // refuses a directory outside git before taking any lock
  return withUpgradeLock(dir, "fleet upgrade", () => upgradeOneLocked(dir, codemods));
}

async function upgradeOneLocked(dir: string, codemods: readonly Codemod[]): Promise<FleetEntry> {
  const git = (...args: string[]) => execa("git", [...identity, ...args], { cwd: dir });
  const dirty = await dirtyPaths(dir);
  if (dirty.length > 0) return { path: dir, status: "failed", detail: "uncommitted changes" };
  const plan = await planUpgrade(dir, { codemods });
  const changes = plan.tree.changes();
  const summary = { path: dir, from: plan.from, to: plan.to };
  if (changes.length === 0) return { ...summary, status: "current" };
  if (plan.conflicts.length > 0) {
    return {
      ...summary,
      status: "conflicts",
      detail: plan.conflicts.map((c) => c.path).join(", "),
    };
  }
  const branch = `ds-service/upgrade-${plan.to}`;
  const original = (await git("rev-parse", "--abbrev-ref", "HEAD")).stdout.trim();
  if (
    (await execa("git", ["rev-parse", "--verify", "--quiet", branch], { cwd: dir, reject: false }))
      .exitCode === 0
  ) {
    return { ...summary, status: "failed", detail: `branch ${branch} already exists` };
  }
  await git("switch", "--quiet", "-c", branch);
  try {
    await applyUpgradeTransaction(dir, changes, async () => {
      await writeBase(dir, plan.to, plan.base);
      await git("add", "--all");
      const codemods = plan.codemods.length > 0 ? `\n\nCodemods: ${plan.codemods.join(", ")}` : "";
      await git(
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        `chore: upgrade ds-service template ${plan.from} → ${plan.to}${codemods}`,
      );
    });
  } catch (error) {
    await git("switch", "--quiet", original).catch(() => undefined);
    await git("branch", "--quiet", "-D", branch).catch(() => undefined);
    throw error;
  }
  await git("switch", "--quiet", original);
  return { ...summary, status: "upgraded", branch };
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

export async function fleetReport(paths: readonly string[]): Promise<FleetReportRow[]> {
  const limit = pLimit(8);
  return Promise.all(
    paths.map((p) =>
      limit(async (): Promise<FleetReportRow> => {
        const dir = path.resolve(p);
        try {
          const r = await checkProject(dir);
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
