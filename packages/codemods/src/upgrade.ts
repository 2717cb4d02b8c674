import {
  type Answers,
  type Manifest,
  manifestPath,
  type Plan,
  planProject,
  pythonPackage,
  readManifest,
  serviceTemplateSource,
  sha256,
  ValidationError,
} from "@ds-service/generator";
import semver from "semver";
import { type Codemod, type CodemodContext, CodemodError } from "./codemod.js";
import { readBase } from "./git.js";
import { threeWayMerge, twoWayConflict } from "./merge.js";
import { registry } from "./registry.js";
import { selectCodemods } from "./select.js";
import { StagedTree } from "./tree.js";

export interface Conflict {
  readonly path: string;
  readonly reason: string;
}

/** Everything an upgrade would do, computed in memory; nothing has been written. */
export interface UpgradePlan {
  readonly from: string;
  readonly to: string;
  readonly codemods: readonly string[];
  readonly tree: StagedTree;
  readonly conflicts: readonly Conflict[];
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
 */
export async function planUpgrade(
  dir: string,
  codemods: readonly Codemod[] = registry,
  /** Render with these answers instead of the manifest's (`data refresh`: a new profile). */
  answers?: Answers,
): Promise<UpgradePlan> {
  const manifest = await readManifest(dir);
  const from = projectTemplateVersion(manifest);
  const to = serviceTemplateSource.packageVersion;
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

  const plan = await planProject(answers ?? manifest.answers, dir);
  const next = new Map([...plan].filter(([p]) => p !== manifestPath));
  const paths = [...new Set([...Object.keys(manifest.files), ...next.keys()])].sort();
  const base = await rebase(await readBase(dir, from, paths), selected, context, dir);
  const conflicts: Conflict[] = [];
  for (const rel of paths) {
    const conflict = await upgradeFile(rel, { manifest, next, base, tree, unedited });
    if (conflict) conflicts.push({ path: rel, reason: conflict });
  }
  await tree.write(manifestPath, plan.get(manifestPath)?.content.toString("utf8") ?? "");
  return {
    from,
    to,
    codemods: selected.map((c) => c.name),
    tree,
    conflicts,
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
];

export function projectTemplateVersion(manifest: Manifest): string {
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
  base: Map<string, string> | null,
  codemods: readonly Codemod[],
  context: CodemodContext,
  dir: string,
): Promise<Map<string, string> | null> {
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

async function uneditedFiles(tree: StagedTree, manifest: Manifest): Promise<Set<string>> {
  const unedited = new Set<string>();
  for (const [rel, entry] of Object.entries(manifest.files)) {
    const content = await tree.read(rel);
    if (content !== null && sha256(Buffer.from(content, "utf8")) === entry.sha256)
      unedited.add(rel);
  }
  return unedited;
}

interface FileInputs {
  readonly manifest: Manifest;
  readonly next: Plan;
  readonly base: Map<string, string> | null;
  readonly tree: StagedTree;
  readonly unedited: ReadonlySet<string>;
}

/** Stages one file's upgrade; returns why it conflicts, or undefined. */
async function upgradeFile(rel: string, inputs: FileInputs): Promise<string | undefined> {
  const { manifest, next, base, tree, unedited } = inputs;
  const old = manifest.files[rel];
  const planned = next.get(rel);
  const current = await tree.read(rel);
  const theirs = planned?.content.toString("utf8");

  if (!old) {
    // New in this template version.
    if (current === null || current === theirs) return write(tree, rel, theirs);
    if (planned?.ownership === "once") return undefined; // the user already has their own
    await tree.write(rel, twoWayConflict(current, theirs ?? ""));
    return "added by the template, but a different file already exists";
  }
  const ownership = planned?.ownership ?? old.ownership;
  if (theirs === undefined) {
    // Removed from the template: only an unedited managed file goes with it.
    if (ownership !== "managed" || current === null) return undefined;
    if (unedited.has(rel)) await tree.delete(rel);
    return unedited.has(rel) ? undefined : "removed by the template, but edited here (kept)";
  }
  const templateChanged = sha256(Buffer.from(theirs, "utf8")) !== old.sha256;
  if (!templateChanged || current === null) return undefined; // nothing new, or deleted by the user
  if (unedited.has(rel)) return write(tree, rel, theirs);
  if (ownership === "once") return undefined;

  const pristine = base?.get(rel);
  if (pristine === undefined) {
    await tree.write(rel, twoWayConflict(current, theirs));
    return "edited here and changed by the template, and the template base is missing";
  }
  const merged = threeWayMerge(current, pristine, theirs);
  await tree.write(rel, merged.content);
  if (merged.conflict) return "edited here and changed by the template in the same place";
  if (ownership === "managed")
    return "a managed file edited here; the template's change was merged in — review it";
  return undefined;
}

async function write(
  tree: StagedTree,
  rel: string,
  content: string | undefined,
): Promise<undefined> {
  if (content !== undefined) await tree.write(rel, content);
  return undefined;
}
