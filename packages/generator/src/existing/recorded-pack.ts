import * as configPython from "@ds-service/config-python";
import pkg from "../../package.json" with { type: "json" };
import { buildPackManifest, type CiRecord, type PackManifest } from "../manifest/index.js";
import { outputPath } from "../paths.js";
import type { Plan } from "../plan.js";
import { configCiSource, planCiPack } from "./ci-pack.js";

/** config-python files that fit any repository (the pre-commit hooks assume uv + ruff + mypy). */
const adoptedPythonConfig = ["_editorconfig"];

/** The config-python files `adopt` manages, as managed planned files. */
export function planAdoptedConfig(): Plan {
  const plan: Plan = new Map();
  for (const source of adoptedPythonConfig) {
    const file = configPython.files.find((f) => f.source === source);
    if (file?.content === undefined) throw new Error(`@ds-service/config-python has no ${source}`);
    const rel = outputPath(source, "unused");
    plan.set(rel, { path: rel, content: Buffer.from(file.content, "utf8"), ownership: "managed" });
  }
  return plan;
}

/** The package a pack's version is judged by (`check`, `upgrade`): the CI pack's. */
export const ciPackSource = {
  packageName: configCiSource.packageName,
  packageVersion: configCiSource.packageVersion,
} as const;

/** The packages a pack of this origin is rendered from, at the versions this ds-service carries. */
export function packPackages(origin: PackManifest["origin"]): Record<string, string> {
  return {
    [configCiSource.packageName]: configCiSource.packageVersion,
    ...(origin === "adopted" ? { [configPython.packageName]: configPython.packageVersion } : {}),
  };
}

/** The CI pack for a recorded `ci` block: the same choices `add ci` made, from today's config-ci. */
export function planPackFor(ci: CiRecord): Plan {
  return planCiPack(ci, {
    dockerfile: ci.dockerfile,
    imageJob: ci.imageJob,
    provider: ci.provider,
    beside: ci.beside === true,
    ...(ci.besideStage === undefined ? {} : { besideStage: ci.besideStage }),
  });
}

/**
 * Everything a pack manifest's repository gets from ds-service, re-rendered from what the
 * manifest recorded: the CI pack, and for an adopted one the managed config. The Makefile
 * `adopt` appended targets to (ownership `merged`) is the repository's own file and is not
 * re-rendered: upgrades leave it, and its manifest entry, as they are.
 */
export function planRecordedPack(manifest: PackManifest): Plan {
  const plan = planPackFor(manifest.ci);
  if (manifest.origin === "adopted") {
    for (const [rel, file] of planAdoptedConfig()) plan.set(rel, file);
  }
  return plan;
}

/**
 * The manifest after writing `plan` (rendered from `ci`) into a repository `previous` described:
 * the writer-side builder `add ci`, `adopt` and the pack upgrade share.
 */
export function recordPack(
  previous: PackManifest | undefined,
  plan: Plan,
  origin: PackManifest["origin"],
  ci: CiRecord,
): PackManifest {
  return buildPackManifest(previous, plan, origin, ci, {
    generator: { name: pkg.name, version: pkg.version },
    packages: packPackages(previous?.origin === "adopted" ? "adopted" : origin),
  });
}
