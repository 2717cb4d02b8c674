import path from "node:path";
import {
  assertDryRunnable,
  CancelledError,
  unifiedDiff,
  ValidationError,
} from "@ds-service/generator";
import type { BaseRefs } from "./base-refs.js";
import { dirtyPaths, writeBase } from "./git.js";
import type { UpgradeDeps } from "./git-exec.js";
import type { MovedFile } from "./moves.js";
import type { StagedChange } from "./tree.js";
import { planUpgrade, type UpgradeInputs, type UpgradePlan } from "./upgrade.js";
import type { Conflict, Deletion } from "./upgrade-file.js";
import { applyUpgradeTransaction, transactionDir, withUpgradeLock } from "./upgrade-txn.js";

export interface UpgradeOptions extends UpgradeInputs {
  readonly dir: string;
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
  /**
   * Aborting (Ctrl-C) cancels the upgrade with a CancelledError: before the apply nothing is
   * written; during it, every file and ref already changed is restored.
   */
  readonly signal?: AbortSignal;
}

export interface UpgradeResult {
  readonly versionOf: UpgradePlan["versionOf"];
  readonly from: string;
  readonly to: string;
  readonly codemods: readonly string[];
  readonly changed: readonly string[];
  readonly conflicts: readonly Conflict[];
  /** Every file one side deleted, and what the upgrade did with it. */
  readonly deletions: readonly Deletion[];
  /** Every file the template moved, and where the project's edit went. */
  readonly moves: readonly MovedFile[];
  /** Where the merge base came from; when `missing`, `hint` says how to bring it. */
  readonly baseRefs: BaseRefs;
  /** The full unified diff of what changed (or, with dryRun, would change). */
  readonly diff: string;
  /** A previous upgrade was interrupted; this many files were restored first. */
  readonly recovered: number;
  readonly dryRun: boolean;
}

export { transactionDir };

/**
 * `ds-service upgrade`: refuses a dirty tree (unless allowed), restores an interrupted upgrade,
 * computes everything in memory, then applies it as one transaction together with the new
 * template base. Re-running on an upgraded project changes nothing. Every git call goes
 * through `deps.exec` (execa by default); `deps.log` hears what the result does not say.
 */
export function upgradeProject(
  options: UpgradeOptions,
  deps: UpgradeDeps = {},
): Promise<UpgradeResult> {
  return runUpgrade(options, "upgrade", applyInPlace, deps);
}

/**
 * Writes a planned upgrade, under the repository's lock: `upgrade` applies it in the work tree
 * with its new template base; `fleet upgrade` commits it on a new branch (`fleet.ts`).
 */
export type ApplyUpgrade = (
  dir: string,
  plan: UpgradePlan,
  changes: readonly StagedChange[],
  options: { readonly signal?: AbortSignal },
  deps: UpgradeDeps,
) => Promise<void>;

const applyInPlace: ApplyUpgrade = (dir, plan, changes, options, deps) =>
  applyUpgradeTransaction(
    dir,
    changes,
    () => writeBase(dir, plan.to, plan.base, deps),
    options,
    deps,
  );

/**
 * One upgrade of one repository, as `upgrade` and each repository of `fleet upgrade` run it:
 * the lock (`command` names its holder), the recovery, the dirty check and the plan are the
 * same for both; only `apply` differs. It is not called for a dry run or when nothing changes.
 */
export async function runUpgrade(
  options: UpgradeOptions,
  command: string,
  apply: ApplyUpgrade,
  deps: UpgradeDeps = {},
): Promise<UpgradeResult> {
  const dir = path.resolve(options.dir);
  const signal = options.signal ?? deps.signal;
  const resolved = { ...options, ...(signal ? { signal } : {}) };
  await transactionDir(dir, deps); // refuses a directory outside git, dry run or not
  // A dry run writes nothing, not even a lock, but is refused as the real run would be while
  // another command holds the lock, and while an interrupted one left the tree half-written;
  // a real one holds the repository's lock throughout.
  if (options.dryRun) {
    await assertDryRunnable(dir, command);
    return upgradeLocked(dir, resolved, 0, apply, deps);
  }
  return withUpgradeLock(
    dir,
    command,
    (recovered) => upgradeLocked(dir, resolved, recovered, apply, deps),
    deps,
  );
}

async function upgradeLocked(
  dir: string,
  options: UpgradeOptions,
  recovered: number,
  apply: ApplyUpgrade,
  deps: UpgradeDeps,
): Promise<UpgradeResult> {
  if (!options.allowDirty) {
    const dirty = await dirtyPaths(dir, deps);
    if (dirty.length > 0) {
      throw new ValidationError(
        `the work tree has uncommitted changes (${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", …" : ""}); commit or stash them first, or pass --allow-dirty`,
      );
    }
  }
  const plan = await planUpgrade(dir, options, deps);
  const changes = plan.tree.changes();
  const result = {
    versionOf: plan.versionOf,
    from: plan.from,
    to: plan.to,
    codemods: plan.codemods,
    changed: changes.map((c) => c.path),
    conflicts: plan.conflicts,
    deletions: plan.deletions,
    moves: plan.moves,
    baseRefs: plan.baseRefs,
    diff: unifiedDiff(changes),
    recovered,
    dryRun: options.dryRun === true,
  };
  if (options.signal?.aborted) throw new CancelledError("upgrade cancelled: nothing was written");
  if (options.dryRun || changes.length === 0) return result;
  try {
    await apply(dir, plan, changes, options.signal ? { signal: options.signal } : {}, deps);
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
    throw new CancelledError(
      "upgrade cancelled: every file and template ref it had changed was restored; the project is as it was",
    );
  }
  return result;
}
