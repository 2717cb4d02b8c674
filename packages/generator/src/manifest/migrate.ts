import { type Manifest, type ManifestV1, manifestVersion } from "./schema.js";

/** What a version 1 pack manifest did not record and the repository still tells. */
export interface PackFacts {
  readonly dockerfile: boolean;
  readonly makeTargets: readonly string[];
}

/** Written by `adopt` (alone or after `add ci`), never by `add ci`: adopt records config-python. */
const adoptedMarker = "@ds-service/config-python";

/**
 * Version 1 → 2. The origin is decided from what the manifest holds:
 * - `answers` → generated (a `ci` block beside them, from `add ci` on a generated project, is
 *   dropped: the template renders that project's CI);
 * - no answers, and config-python among its packages → adopted (only `adopt` records it);
 * - otherwise → ci.
 * Version 1 did not record whether the pack had a Dockerfile or an image job; `facts` gives them
 * as `add ci` decided them: a Dockerfile at the root, and the image job only with the deploy
 * pack's `lint-docker` and `verify-base-images` targets (the reader reads them only for a
 * version 1 pack manifest). A pack manifest without a `ci` block
 * cannot be re-rendered and is refused, naming the field.
 */
export function migrateV1(v1: ManifestV1, facts: PackFacts): Manifest {
  const { generator, packages, files } = v1;
  const common = { schemaVersion: manifestVersion, generator, packages, files } as const;
  if (v1.answers !== undefined) return { ...common, origin: "generated", answers: v1.answers };
  if (v1.ci === undefined) {
    throw new MigrationError("answers", "a version 1 manifest needs `answers` or a `ci` block");
  }
  const { dockerfile, makeTargets } = facts;
  const imageJob =
    dockerfile && makeTargets.includes("lint-docker") && makeTargets.includes("verify-base-images");
  const ci = { ...v1.ci, dockerfile, imageJob };
  const origin = adoptedMarker in packages ? "adopted" : "ci";
  return { ...common, origin, ci };
}

/** A manifest that parses but cannot be migrated; the reader names the file. */
export class MigrationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
