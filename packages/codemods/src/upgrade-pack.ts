import {
  ciPackSource,
  compareCodeUnits,
  manifestFile,
  manifestPath,
  type PackManifest,
  planRecordedPack,
  recordPack,
  ValidationError,
} from "@ds-service/generator";
import semver from "semver";
import { StagedTree } from "./tree.js";
import { uneditedFiles } from "./unedited.js";
import type { UpgradePlan } from "./upgrade.js";
import { type FileReport, upgradeFile } from "./upgrade-file.js";

/** The CI pack version a repository `add ci` or `adopt` wrote is on; exit 2 when unreadable. */
export function projectPackVersion(manifest: PackManifest): string {
  const version = manifest.packages[ciPackSource.packageName];
  if (!version || !semver.valid(version)) {
    throw new ValidationError(
      `${manifestPath} records no valid ${ciPackSource.packageName} version (found ${JSON.stringify(version)})`,
    );
  }
  return version;
}

/**
 * The upgrade of a repository ds-service did not generate: the CI pack (and adopted config)
 * re-rendered from the recorded `ci` block by today's config-ci, applied file by file with the
 * same ownership rules as a generated project's (`upgradeFile`): an unedited file follows the
 * new render, an edited one the render changed is merged or a conflict. No codemods run (they
 * migrate the service template), and the Makefile `adopt` appended to is the repository's own.
 * No pristine base is kept for a pack, so an edited file the render changed is a conflict.
 */
export async function planPackUpgrade(dir: string, manifest: PackManifest): Promise<UpgradePlan> {
  const from = projectPackVersion(manifest);
  const to = ciPackSource.packageVersion;
  if (semver.gt(from, to)) {
    throw new ValidationError(
      `the CI pack is ${ciPackSource.packageName} ${from}, newer than this ds-service's ${to}: update ds-service first`,
    );
  }
  const tree = new StagedTree(dir);
  const unedited = await uneditedFiles(tree, manifest);
  const next = planRecordedPack(manifest);
  // Files ds-service merged into but does not render (adopt's Makefile) stay as recorded.
  const kept = Object.entries(manifest.files).filter(
    ([rel, f]) => f.ownership === "merged" && !next.has(rel),
  );
  const keptPaths = new Set(kept.map(([rel]) => rel));
  const paths = [...new Set([...Object.keys(manifest.files), ...next.keys()])]
    .filter((rel) => !keptPaths.has(rel))
    .sort(compareCodeUnits);
  const report: FileReport = { conflicts: [], deletions: [], moves: [] };
  for (const rel of paths) {
    await upgradeFile(rel, { manifest, next, base: null, tree, unedited }, report);
  }
  const recorded = recordPack(
    { ...manifest, files: Object.fromEntries(kept) },
    next,
    manifest.origin,
    manifest.ci,
  );
  const manifestEntry = manifestFile(recorded);
  await tree.write(manifestPath, manifestEntry.content);
  return {
    versionOf: "CI pack",
    from,
    to,
    codemods: [],
    tree,
    ...report,
    // A CI pack records no pristine base yet: an edited file it changes is kept, the pack's
    // version written beside it (no hint: no command would bring a base that never existed).
    baseRefs: { state: "missing" },
    base: new Map([
      ...[...next].map(([p, f]) => [p, f.content] as const),
      [manifestPath, manifestEntry.content],
    ]),
  };
}
