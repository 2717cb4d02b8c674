import * as z from "zod";
import { answersSchema } from "../answers.js";

/** Where a manifest lives in a project, relative to its root. */
export const manifestPath = ".ds-service/manifest.json";

/** The manifest version this ds-service writes; older ones are migrated on read (migrate.ts). */
export const manifestVersion = 2;

const fileSchema = z.object({
  ownership: z.enum(["managed", "merged", "once"]),
  /** sha256 of the bytes as rendered, so `check` and `upgrade` can tell a local edit. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Rendered executable (a script): an upgrade tells a local chmod from the template's change. */
  executable: z.literal(true).optional(),
});

const generatorSchema = z.object({ name: z.string(), version: z.string() });

/**
 * What `add ci` / `adopt` wired CI to, and the facts the pack was rendered from: with these an
 * upgrade re-renders the same pack from a newer config-ci (see `planRecordedPack`).
 */
export const ciRecordSchema = z.object({
  provider: z.enum(["github", "gitlab"]),
  uv: z.boolean(),
  pythonVersion: z.string(),
  setup: z.string(),
  check: z.string(),
  /** The repository had a Dockerfile: dependabot watches its base images. */
  dockerfile: z.boolean(),
  /** The image job is in (the repository has the deploy pack's lint-docker and verify-base-images). */
  imageJob: z.boolean(),
  /** `--beside`: the pack's workflows sit beside the repository's own CI under distinct names. */
  beside: z.boolean().optional(),
  /** GitLab `--beside`: the stage of the repository's pipeline the pack's jobs run in. */
  besideStage: z.string().optional(),
});

const common = {
  schemaVersion: z.literal(manifestVersion),
  generator: generatorSchema,
  packages: z.record(z.string(), z.string()),
  files: z.record(z.string(), fileSchema),
};

/**
 * The one manifest schema, by origin: `generated` by `ds-service new` (re-rendered from its
 * answers), `adopted` by `ds-service adopt` and `ci` by `ds-service add ci` (the CI pack,
 * re-rendered from the recorded `ci` block; the repository's own code is never rendered).
 */
export const manifestSchema = z.discriminatedUnion("origin", [
  z.object({ ...common, origin: z.literal("generated"), answers: answersSchema }).strict(),
  z.object({ ...common, origin: z.literal("adopted"), ci: ciRecordSchema }).strict(),
  z.object({ ...common, origin: z.literal("ci"), ci: ciRecordSchema }).strict(),
]);

/** Version 1, as `new` (with answers) and `add ci`/`adopt` (with a `ci` block) wrote it. */
export const manifestV1Schema = z.object({
  schemaVersion: z.literal(1),
  generator: generatorSchema,
  packages: z.record(z.string(), z.string()),
  answers: answersSchema.optional(),
  ci: ciRecordSchema.omit({ dockerfile: true, imageJob: true }).optional(),
  files: z.record(z.string(), fileSchema),
});

export type ManifestFile = z.output<typeof fileSchema>;
export type CiRecord = z.output<typeof ciRecordSchema>;
export type Manifest = z.output<typeof manifestSchema>;
export type GeneratedManifest = Extract<Manifest, { origin: "generated" }>;
/** A repository ds-service did not generate: it manages the CI pack (and, adopted, more). */
export type PackManifest = Extract<Manifest, { origin: "adopted" | "ci" }>;
export type ManifestV1 = z.output<typeof manifestV1Schema>;
