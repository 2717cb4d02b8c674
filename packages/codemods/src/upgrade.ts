import {
  type Answers,
  sources as carriedSources,
  type FileSource,
  type GeneratedManifest,
  manifestPath,
  planProject,
  pythonPackage,
  readManifest,
  serviceTemplateSource,
  templateVersion,
  ValidationError,
} from "@ds-service/generator";
import semver from "semver";
import { type BaseRefs, loadBase } from "./base-refs.js";
import { type Codemod, type CodemodContext, CodemodError } from "./codemod.js";
import type { UpgradeDeps } from "./git-exec.js";
import { findMoves, type MovedFile } from "./moves.js";
import { registry } from "./registry.js";
import { selectCodemods } from "./select.js";
import { StagedTree } from "./tree.js";
import { uneditedFiles } from "./unedited.js";
import { type Conflict, type Deletion, type FileReport, upgradeFile } from "./upgrade-file.js";
import { moveFile } from "./upgrade-move.js";
import { planPackUpgrade } from "./upgrade-pack.js";
import { applyStructural, type StructuralEdit } from "./upgrade-structural.js";

export interface UpgradeInputs {
  /** The codemods to choose from for the version range; by default the registry. */
  readonly codemods?: readonly Codemod[];
  /**
   * Re-render with these answers instead of the manifest's (same template version): the
   * project's edits are 3-way merged with what changes. `data refresh` passes a new profile.
   */
  readonly answers?: Answers;
  /** The packages to render the new version from; by default those this ds-service carries. */
  readonly sources?: readonly FileSource[];
  /**
   * A structural edit made on the project's files and on the base before the merge (see
   * `applyStructural`): a re-render that adds or removes features passes `featureSync`.
   */
  readonly structural?: StructuralEdit;
}

/** Everything an upgrade would do, computed in memory; nothing has been written. */
export interface UpgradePlan {
  /** What the versions are of: the project's template, or the CI pack `add ci`/`adopt` wrote. */
  readonly versionOf: "template" | "CI pack";
  readonly from: string;
  readonly to: string;
  readonly codemods: readonly string[];
  readonly tree: StagedTree;
  readonly conflicts: readonly Conflict[];
  /** Every file one side deleted, and what the upgrade did with it. */
  readonly deletions: readonly Deletion[];
  /** Every file the template moved (declared or detected), and where the project's edit went. */
  readonly moves: readonly MovedFile[];
  /** Where the merge base came from; when missing, how to bring it. */
  readonly baseRefs: BaseRefs;
  /** The new pristine render (manifest included), to record as the base once applied. */
  readonly base: ReadonlyMap<string, Buffer>;
}

/** An upgrade that could not be computed (a codemod refused the project). Nothing was written. */
export class UpgradeError extends ValidationError {}

/**
 * Computes an upgrade of the project in `dir` to the template this ds-service carries:
 * codemods for the version range first, on the project's own files, then the template's
 * changes, per ownership class:
 * - managed: replaced; a local edit that the template also changed is a conflict.
 * - merged: 3-way merge against the pristine render of the project's version (the git ref
 *   written at `new`); without that base, an unedited file is replaced and an edited one is
 *   a two-way conflict.
 * - once: never touched once edited; an unedited one follows the template, which loses nothing
 *   and makes an unedited project equal to a fresh render.
 * A file the template moved (declared in its moves.json, or detected as git detects renames)
 * goes to its new path with the project's edit merged in, under the new path's class. A clone
 * without the base refs fetches them from its remote first; still without a base, an edited
 * file the template changed is kept as it is and the template's version written beside it.
 * Every class is handled as bytes (binary files are never merged; see `upgradeFile`), and every
 * delete on either side is reported. A repository `add ci` or `adopt` wrote upgrades its CI
 * pack the same way (`planPackUpgrade`).
 */
export async function planUpgrade(
  dir: string,
  inputs: UpgradeInputs = {},
  deps: UpgradeDeps = {},
): Promise<UpgradePlan> {
  const { codemods = registry, answers, sources = carriedSources, structural } = inputs;
  const manifest = await readManifest(dir);
  if (manifest.origin !== "generated") {
    if (answers !== undefined) {
      throw new ValidationError(
        `${manifestPath} records a repository ds-service did not generate: it has no answers to re-render`,
      );
    }
    return planPackUpgrade(dir, manifest);
  }
  const from = projectTemplateVersion(manifest);
  const to = templateVersion(sources);
  if (semver.gt(from, to)) {
    throw new ValidationError(
      `the project is on template ${from}, newer than this ds-service's ${to}: update ds-service first`,
    );
  }
  const tree = new StagedTree(dir);
  const selected = selectCodemods(codemods, from, to);
  const context = {
    answers: manifest.answers,
    package: pythonPackage(manifest.answers.name),
  };
  // Whether a file was edited is judged on the disk as it was, before any codemod ran.
  const unedited = await uneditedFiles(tree, manifest);
  for (const codemod of selected) {
    try {
      await codemod.transform(tree, context);
    } catch (error) {
      if (error instanceof CodemodError) {
        throw new UpgradeError(
          `codemod ${codemod.name} cannot migrate this project: ${error.message}`,
        );
      }
      throw error;
    }
  }

  const plan = await planProject(answers ?? manifest.answers, dir, sources);
  const next = new Map([...plan].filter(([p]) => p !== manifestPath));
  const paths = [...new Set([...Object.keys(manifest.files), ...next.keys()])].sort();
  // The same packages re-rendered with the same answers bring nothing worth a network call.
  const renderChanged =
    answers !== undefined ||
    sources.some((s) => manifest.packages[s.packageName] !== s.packageVersion);
  const loaded = await loadBase(dir, from, paths, { fetch: renderChanged }, deps);
  const rebased = await rebase(loaded.files, selected, context, dir);
  const base =
    structural === undefined
      ? rebased
      : await applyStructural(structural, { next, base: rebased, tree, unedited });
  const report: FileReport = { conflicts: [], deletions: [], moves: [] };
  const files = { manifest, next, base, tree, unedited };
  const moves = await findMoves({ ...files, sources, package: context.package }, deps);
  for (const move of moves) await moveFile(move, files, report);
  const moved = new Set(moves.flatMap((m) => [m.from, m.to]));
  for (const rel of paths.filter((p) => !moved.has(p))) await upgradeFile(rel, files, report);
  await tree.write(manifestPath, plan.get(manifestPath)?.content ?? Buffer.alloc(0));
  return {
    versionOf: "template",
    from,
    to,
    codemods: selected.map((c) => c.name),
    tree,
    ...report,
    baseRefs: loaded.refs,
    base: new Map([...plan].map(([p, f]) => [p, f.content])),
  };
}

/**
 * Every @ds-service/template-service version ever released, oldest first; the last one is the
 * template this ds-service carries (a test keeps the two in step). A manifest naming any other
 * version at or below it was edited by hand or corrupted: upgrading from it would guess.
 */
export const releasedTemplateVersions: readonly string[] = [
  "0.1.0",
  "0.2.0",
  "0.3.0",
  "0.4.0",
  "0.5.0",
  "0.6.0",
  "0.7.0",
  "0.8.0",
  "0.9.0",
  "0.10.0",
];

export function projectTemplateVersion(manifest: GeneratedManifest): string {
  const version = manifest.packages[serviceTemplateSource.packageName];
  if (!version || !semver.valid(version)) {
    throw new ValidationError(
      `${manifestPath} records no valid ${serviceTemplateSource.packageName} version (found ${JSON.stringify(version)})`,
    );
  }
  const latest = serviceTemplateSource.packageVersion;
  if (semver.lte(version, latest) && !releasedTemplateVersions.includes(version)) {
    throw new ValidationError(
      `${manifestPath} records template ${version}, which was never released (known: ${releasedTemplateVersions.join(", ")}); restore the manifest from git history`,
    );
  }
  return version;
}

/**
 * The pristine base as the codemods would have left it. The project's files went through the
 * codemods before the merge, so the base must too: otherwise a codemod's edit counts as the
 * user's, and one next to a user's own edit (a table appended after the tables a codemod
 * removes) is a conflict. A codemod that refuses the pristine render leaves the base as it was.
 */
async function rebase(
  base: Map<string, Buffer> | null,
  codemods: readonly Codemod[],
  context: CodemodContext,
  dir: string,
): Promise<Map<string, Buffer> | null> {
  if (base === null || codemods.length === 0) return base;
  const tree = new StagedTree(dir, base);
  try {
    for (const codemod of codemods) await codemod.transform(tree, context);
  } catch (error) {
    if (error instanceof CodemodError) return base;
    throw error;
  }
  const rebased = new Map(base);
  for (const change of tree.changes()) {
    if (change.after === null) rebased.delete(change.path);
    else rebased.set(change.path, change.after);
  }
  return rebased;
}
