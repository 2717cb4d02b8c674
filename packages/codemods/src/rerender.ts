import {
  answersProfile,
  type DatasetProfile,
  type GeneratedManifest,
  parseAnswers,
  serviceTemplateSource,
  ValidationError,
} from "@ds-service/generator";
import { featureSync } from "./feature-sync/index.js";
import type { UpgradeDeps } from "./git-exec.js";
import { type UpgradeOptions, type UpgradeResult, upgradeProject } from "./run-upgrade.js";
import { projectTemplateVersion } from "./upgrade.js";

/**
 * What a re-render needs: the project, its manifest, and the profile to render it from. The
 * template and the codemods are the ones this ds-service carries, so they are not options;
 * everything else the upgrade engine takes (dry run, dirty tree, signal, …) passes through.
 */
export interface RerenderOptions extends Omit<UpgradeOptions, "answers" | "codemods" | "sources"> {
  readonly manifest: GeneratedManifest;
  readonly profile: DatasetProfile;
}

/**
 * Re-renders the project in `dir` from a changed profile through the upgrade engine, on the
 * template it is already on: every file that depends on the profile follows it, the project's
 * own edits are 3-way merged, the apply is one transaction and `dryRun` writes nothing.
 * `data refresh`, `add feature` and `remove feature` are all this, with another profile; a
 * feature that comes or goes is edited in structurally first, on the project and the base.
 * A project on another template version is refused (ValidationError): upgrade it first.
 * `deps` (how git runs, where messages go) is the upgrade engine's, passed on as it is.
 */
export async function rerenderProject(
  options: RerenderOptions,
  deps: UpgradeDeps = {},
): Promise<UpgradeResult> {
  const { manifest, profile, ...upgrade } = options;
  const version = projectTemplateVersion(manifest);
  if (version !== serviceTemplateSource.packageVersion) {
    throw new ValidationError(
      `the project is on template ${version}: run \`ds-service upgrade\` first, then change its data`,
    );
  }
  const before = answersProfile(manifest.answers).features.map((f) => f.name);
  const after = profile.features.map((f) => f.name);
  const changed = [
    ...before.filter((f) => !after.includes(f)),
    ...after.filter((f) => !before.includes(f)),
  ];
  return upgradeProject(
    {
      ...upgrade,
      dryRun: upgrade.dryRun === true,
      allowDirty: upgrade.allowDirty === true,
      answers: parseAnswers({ ...manifest.answers, dataset: profile }),
      // The features that come or go are edited into the project's files structurally, so
      // its own edits beside them merge cleanly (see `featureSync`).
      ...(changed.length > 0 ? { structural: featureSync(changed) } : {}),
    },
    deps,
  );
}
