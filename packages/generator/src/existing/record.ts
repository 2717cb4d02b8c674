import fs from "node:fs/promises";
import path from "node:path";
import pkg from "../../package.json" with { type: "json" };
import {
  compareCodeUnits,
  type Manifest,
  type ManifestFile,
  manifestPath,
  sha256,
} from "../manifest.js";
import type { Plan, PlannedFile } from "../plan.js";
import type { CiCommands } from "./commands.js";

/**
 * The manifest of a repository ds-service did not generate: no answers, but the packages and
 * files it manages, and the CI commands it wired, so an upgrade re-renders the same pack.
 */
export type ExistingManifest = Omit<Manifest, "answers"> & {
  readonly answers?: Manifest["answers"];
  readonly ci?: CiCommands & { readonly provider: "github" | "gitlab" };
};

export async function readManifest(cwd: string): Promise<ExistingManifest | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(cwd, manifestPath), "utf8")) as ExistingManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`${manifestPath} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The manifest after adding `plan`'s files from `packages`, as a planned file. */
export function recordInManifest(
  existing: ExistingManifest | undefined,
  plan: Plan,
  packages: Record<string, string>,
  ci: CiCommands & { readonly provider: "github" | "gitlab" },
): PlannedFile {
  const files: Record<string, ManifestFile> = { ...(existing?.files ?? {}) };
  for (const file of plan.values()) {
    files[file.path] = { ownership: file.ownership, sha256: sha256(file.content) };
  }
  const sorted = Object.fromEntries(
    Object.entries(files).sort(([a], [b]) => compareCodeUnits(a, b)),
  );
  const manifest: ExistingManifest = {
    ...(existing ?? {}),
    schemaVersion: 1,
    generator: { name: pkg.name, version: pkg.version },
    packages: { ...(existing?.packages ?? {}), ...packages },
    ci,
    files: sorted,
  };
  return {
    path: manifestPath,
    content: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8"),
    ownership: "managed",
  };
}
