import path from "node:path";
import { ValidationError } from "@ds-service/generator";
import type { BaseRefs } from "./base-refs.js";
import { unifiedDiff } from "./diff.js";
import { dirtyPaths, writeBase } from "./git.js";
import type { MovedFile } from "./moves.js";
import { planUpgrade, type UpgradeInputs } from "./upgrade.js";
import type { Conflict, Deletion } from "./upgrade-file.js";
import { applyUpgradeTransaction, transactionDir, withUpgradeLock } from "./upgrade-txn.js";

export interface UpgradeOptions extends UpgradeInputs {
  readonly dir: string;
  readonly dryRun?: boolean;
  readonly allowDirty?: boolean;
}

export interface UpgradeResult {
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
 * template base. Re-running on an upgraded project changes nothing.
 */
export async function upgradeProject(options: UpgradeOptions): Promise<UpgradeResult> {
  const dir = path.resolve(options.dir);
  await transactionDir(dir); // refuses a directory outside git, dry run or not
  // A dry run writes nothing, not even a lock; a real one holds the repository's lock throughout.
  if (options.dryRun) return upgradeLocked(dir, options, 0);
  return withUpgradeLock(dir, "upgrade", (recovered) => upgradeLocked(dir, options, recovered));
}

async function upgradeLocked(
  dir: string,
  options: UpgradeOptions,
  recovered: number,
): Promise<UpgradeResult> {
  if (!options.allowDirty) {
    const dirty = await dirtyPaths(dir);
    if (dirty.length > 0) {
      throw new ValidationError(
        `the work tree has uncommitted changes (${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", …" : ""}); commit or stash them first, or pass --allow-dirty`,
      );
    }
  }
  const plan = await planUpgrade(dir, options);
  const changes = plan.tree.changes();
  const result = {
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
  if (options.dryRun || changes.length === 0) return result;
  await applyUpgradeTransaction(dir, changes, () => writeBase(dir, plan.to, plan.base));
  return result;
}
