import { createHash } from "node:crypto";
import type { Answers } from "../answers.js";
import type { Plan, PlannedFile } from "../plan.js";
import {
  type CiRecord,
  type GeneratedManifest,
  type Manifest,
  type ManifestFile,
  manifestPath,
  manifestVersion,
  type PackManifest,
} from "./schema.js";

export function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * Orders manifest paths by UTF-16 code unit: the same on every machine whatever its locale, and
 * without the ICU collator `localeCompare` starts, which alone cost ~8 ms of a `new`.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Versions {
  readonly generator: { name: string; version: string };
  readonly packages: Record<string, string>;
}

/** Whether permission bits (a planned file's `mode`, a file's on disk) make it executable. */
export function isExecutable(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o111) !== 0;
}

/** Each planned file's ownership, hash and executable bit, by path (sorted when serialized). */
export function recordFiles(plan: Plan): Record<string, ManifestFile> {
  const files: Record<string, ManifestFile> = {};
  for (const file of plan.values()) {
    files[file.path] = {
      ownership: file.ownership,
      sha256: sha256(file.content),
      ...(isExecutable(file.mode) ? { executable: true as const } : {}),
    };
  }
  return files;
}

/** The manifest of a project `ds-service new` rendered from `answers`. */
export function buildManifest(plan: Plan, answers: Answers, versions: Versions): GeneratedManifest {
  return {
    schemaVersion: manifestVersion,
    origin: "generated",
    generator: versions.generator,
    packages: versions.packages,
    answers,
    files: recordFiles(plan),
  };
}

/**
 * The manifest after `add ci` / `adopt` / a pack upgrade wrote `plan` from `packages`: what
 * `previous` recorded, plus these files and packages, and the `ci` block they were rendered
 * from. Once adopted, a repository stays adopted (`add ci` after `adopt` keeps it so).
 */
export function buildPackManifest(
  previous: PackManifest | undefined,
  plan: Plan,
  origin: PackManifest["origin"],
  ci: CiRecord,
  versions: Versions,
): PackManifest {
  return {
    schemaVersion: manifestVersion,
    origin: previous?.origin === "adopted" ? "adopted" : origin,
    generator: versions.generator,
    packages: { ...(previous?.packages ?? {}), ...versions.packages },
    ci,
    files: { ...(previous?.files ?? {}), ...recordFiles(plan) },
  };
}

/**
 * The manifest as bytes: keys in one fixed order and paths sorted, so writing the same manifest
 * twice gives the same bytes (an upgrade with nothing to do changes nothing), with a trailing
 * newline so the file is stable under editors and formatters.
 */
export function serializeManifest(manifest: Manifest): Buffer {
  const { schemaVersion, origin, generator, packages } = manifest;
  const files = Object.fromEntries(
    Object.entries(manifest.files)
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([rel, f]) => [
        rel,
        { ownership: f.ownership, sha256: f.sha256, ...(f.executable ? { executable: true } : {}) },
      ]),
  );
  const body =
    manifest.origin === "generated"
      ? { answers: manifest.answers }
      : { ci: orderedCi(manifest.ci) };
  const ordered = { schemaVersion, origin, generator, packages, ...body, files };
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`, "utf8");
}

/** The manifest as the planned file every writer stages with the files it records. */
export function manifestFile(manifest: Manifest): PlannedFile {
  return { path: manifestPath, content: serializeManifest(manifest), ownership: "managed" };
}

function orderedCi(ci: CiRecord): CiRecord {
  const { provider, uv, pythonVersion, setup, check, dockerfile, imageJob, beside, besideStage } =
    ci;
  return {
    provider,
    uv,
    pythonVersion,
    setup,
    check,
    dockerfile,
    imageJob,
    ...(beside ? { beside } : {}),
    ...(besideStage === undefined ? {} : { besideStage }),
  };
}
