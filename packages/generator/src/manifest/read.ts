import fs from "node:fs/promises";
import path from "node:path";
import type * as z from "zod";
import { ValidationError } from "../errors.js";
import { makefileTargets } from "../existing/detect.js";
import { MigrationError, migrateV1, type PackFacts } from "./migrate.js";
import {
  type GeneratedManifest,
  type Manifest,
  manifestPath,
  manifestSchema,
  manifestV1Schema,
  manifestVersion,
} from "./schema.js";

/**
 * The one manifest reader: reads `.ds-service/manifest.json` from a project, validates it and
 * migrates an older version in memory (the next write persists the current one). A missing,
 * corrupt or unknown-version manifest is a ValidationError (exit 2) naming the file and field.
 */
export async function readManifest(projectDir: string): Promise<Manifest> {
  const manifest = await readManifestIfAny(projectDir);
  if (manifest === undefined) {
    throw new ValidationError(
      `${projectDir} has no ${manifestPath}: it is not managed by ds-service (use \`ds-service adopt\`)`,
    );
  }
  return manifest;
}

/** As `readManifest`, but a repository without a manifest (not managed yet) is `undefined`. */
export async function readManifestIfAny(projectDir: string): Promise<Manifest | undefined> {
  const file = path.join(projectDir, manifestPath);
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") {
      throw new ValidationError(`${file} is corrupt: it is a directory, not the manifest file`);
    }
    throw error;
  }
  return parseManifest(text, file, () => packFacts(projectDir));
}

/** A manifest that `add feature`, `data refresh` … can re-render: generated from answers. */
export async function readGeneratedManifest(projectDir: string): Promise<GeneratedManifest> {
  const manifest = await readManifest(projectDir);
  if (manifest.origin !== "generated") {
    throw new ValidationError(
      `${path.join(projectDir, manifestPath)} records a repository ds-service ${manifest.origin === "ci" ? "added CI to" : "adopted"}, not one it generated: this command needs a project made by \`ds-service new\``,
    );
  }
  return manifest;
}

/**
 * Parses manifest text (named `file` in errors). `facts` is asked only to migrate a version 1
 * manifest written by `add ci` or `adopt`.
 */
export async function parseManifest(
  text: string,
  file: string,
  facts: () => Promise<PackFacts>,
): Promise<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version === 1) {
    const v1 = validate(manifestV1Schema, json, file);
    try {
      return v1.answers === undefined ? migrateV1(v1, await facts()) : migrateV1(v1, noFacts);
    } catch (error) {
      if (error instanceof MigrationError) {
        throw new ValidationError(`${file} is corrupt: ${error.field}: ${error.message}`);
      }
      throw error;
    }
  }
  if (typeof version === "number" && version > manifestVersion) {
    throw new ValidationError(
      `${file} is corrupt or newer than this ds-service: schemaVersion ${version} (this one reads 1 to ${manifestVersion}); update ds-service, or restore the manifest from git history`,
    );
  }
  return validate(manifestSchema, json, file);
}

const noFacts: PackFacts = { dockerfile: false, makeTargets: [] };

function validate<S extends z.ZodType>(schema: S, json: unknown, file: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "(top level)";
  throw new ValidationError(`${file} is corrupt: ${field}: ${issue?.message ?? "invalid"}`);
}

/** What a version 1 pack manifest left out, read from the repository as `add ci` read it. */
async function packFacts(projectDir: string): Promise<PackFacts> {
  const dockerfile = await fs
    .stat(path.join(projectDir, "Dockerfile"))
    .then(() => true)
    .catch(() => false);
  const makefile = await fs.readFile(path.join(projectDir, "Makefile"), "utf8").catch(() => "");
  return { dockerfile, makeTargets: makefileTargets(makefile) };
}
