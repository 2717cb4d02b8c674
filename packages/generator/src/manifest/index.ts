/**
 * The one manifest module: the versioned schema (schema.ts), the reader that validates and
 * migrates (read.ts, migrate.ts) and the builders and serializer every writer uses (write.ts).
 */
export { MigrationError, migrateV1, type PackFacts } from "./migrate.js";
export { parseManifest, readGeneratedManifest, readManifest, readManifestIfAny } from "./read.js";
export {
  type CiRecord,
  type GeneratedManifest,
  type Manifest,
  type ManifestFile,
  manifestPath,
  manifestSchema,
  manifestVersion,
  type PackManifest,
} from "./schema.js";
export {
  buildManifest,
  buildPackManifest,
  compareCodeUnits,
  isExecutable,
  manifestFile,
  recordFiles,
  serializeManifest,
  sha256,
} from "./write.js";
