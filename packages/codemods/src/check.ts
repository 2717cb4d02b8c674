import fs from "node:fs/promises";
import path from "node:path";
import {
  ciPackSource,
  gitlabBesidePath,
  type Manifest,
  pipelineIncludesBeside,
  readManifest,
  serviceTemplateSource,
  sha256,
  ValidationError,
} from "@ds-service/generator";
import semver from "semver";
import type { UpgradeDeps } from "./git-exec.js";
import { projectTemplateVersion } from "./upgrade.js";
import { projectPackVersion } from "./upgrade-pack.js";
import { recoverUpgrade, transactionDir } from "./upgrade-txn.js";

export interface Drift {
  readonly path: string;
  /** `unincluded`: GitLab `--beside` jobs the repository's `.gitlab-ci.yml` no longer includes. */
  readonly reason: "edited" | "missing" | "unincluded";
}

export interface CheckResult {
  /** Who wrote the manifest: `new` (generated), `adopt` or `add ci`. */
  readonly origin: Manifest["origin"];
  /** The version the project is on: the service template's, or for adopt / add ci the CI pack's. */
  readonly templateVersion: string;
  readonly latestVersion: string;
  readonly outdated: boolean;
  /** Managed files that differ from what ds-service rendered. */
  readonly drift: readonly Drift[];
  /** An interrupted upgrade was rolled back first; this many files were restored. */
  readonly recovered: number;
}

/** Compares a project with its manifest: drifted managed files, and whether a newer template exists. */
export async function checkProject(dir: string, deps: UpgradeDeps = {}): Promise<CheckResult> {
  const recovered = await recoverInterrupted(dir, deps);
  const manifest = await readManifest(dir);
  const generated = manifest.origin === "generated";
  const templateVersion = generated
    ? projectTemplateVersion(manifest)
    : projectPackVersion(manifest);
  const latestVersion = (generated ? serviceTemplateSource : ciPackSource).packageVersion;
  if (semver.gt(templateVersion, latestVersion)) {
    throw new ValidationError(
      `the project is on ${generated ? "template" : "CI pack"} ${templateVersion}, newer than this ds-service's ${latestVersion}: update ds-service first`,
    );
  }
  const drift: Drift[] = [];
  for (const [rel, entry] of Object.entries(manifest.files).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (entry.ownership !== "managed") continue;
    const content = await fs.readFile(path.join(dir, rel)).catch(() => null);
    if (content === null) drift.push({ path: rel, reason: "missing" });
    else if (sha256(content) !== entry.sha256) drift.push({ path: rel, reason: "edited" });
  }
  if (!(await besideJobsIncluded(dir, manifest)))
    drift.push({ path: gitlabBesidePath, reason: "unincluded" });
  return {
    origin: manifest.origin,
    templateVersion,
    latestVersion,
    outdated: semver.lt(templateVersion, latestVersion),
    drift,
    recovered,
  };
}

/**
 * GitLab `--beside` puts the pack's jobs in their own managed file and one `include:` line into
 * the repository's `.gitlab-ci.yml`, which stays the repository's (not in the manifest). Without
 * that line the jobs never run, though every managed file is intact: check looks for it.
 */
async function besideJobsIncluded(dir: string, manifest: Manifest): Promise<boolean> {
  if (manifest.origin === "generated") return true;
  if (manifest.ci.provider !== "gitlab" || manifest.ci.besideStage === undefined) return true;
  const pipeline = await fs.readFile(path.join(dir, ".gitlab-ci.yml"), "utf8").catch(() => "");
  return pipelineIncludesBeside(pipeline);
}

/**
 * Rolls back an upgrade killed mid-way, so check judges the tree as it was; 0 outside git.
 * Only when a command left something in the state directory (a journal, backups, the lock of
 * a killed process): then under the repository's lock, so a running upgrade is never rolled
 * back from under it, and a dead process's lock goes. Otherwise check only reads (a read-only
 * checkout in CI must not fail for want of a lock).
 */
async function recoverInterrupted(dir: string, deps: UpgradeDeps): Promise<number> {
  const txnDir = await transactionDir(dir, deps).catch(() => null);
  if (txnDir === null || !(await fs.stat(path.dirname(txnDir)).catch(() => null))) return 0;
  return recoverUpgrade(dir, deps);
}
