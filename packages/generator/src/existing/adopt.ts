import fs from "node:fs/promises";
import path from "node:path";
import * as configPython from "@ds-service/config-python";
import { outputPath } from "../paths.js";
import { configCiSource, planCiPack } from "./ci-pack.js";
import { ciCommands } from "./commands.js";
import { detectProject, makefileTargets } from "./detect.js";
import { withMissingTargets } from "./makefile.js";
import {
  applyToExisting,
  type ExistingRepoOptions,
  type ExistingRepoResult,
  underRepoLock,
} from "./run.js";

/** config-python files that fit any repository (the pre-commit hooks assume uv + ruff + mypy). */
const adoptedPythonConfig = ["_editorconfig"];

/**
 * `ds-service adopt`: brings an existing data-science repository under management without
 * touching its code — the standard Makefile targets it lacks (appended, never rewritten), the
 * managed editor config, the CI pack wired to those targets, and the manifest.
 */
export async function adopt(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  return underRepoLock(options, "adopt", () => adoptLocked(options));
}

async function adoptLocked(options: ExistingRepoOptions): Promise<ExistingRepoResult> {
  const detected = await detectProject(options.cwd);
  const current = await fs
    .readFile(path.join(options.cwd, "Makefile"), "utf8")
    .catch(() => undefined);
  const makefile = withMissingTargets(current, detected);
  const project = makefile ? { ...detected, makeTargets: makefileTargets(makefile) } : detected;
  const commands = ciCommands(project);
  const imageJob =
    project.dockerfile &&
    project.makeTargets.includes("lint-docker") &&
    project.makeTargets.includes("verify-base-images");
  const plan = planCiPack(commands, {
    dockerfile: project.dockerfile,
    imageJob,
    provider: options.ci ?? "github",
  });
  for (const source of adoptedPythonConfig) {
    const file = configPython.files.find((f) => f.source === source);
    if (file?.content === undefined) throw new Error(`@ds-service/config-python has no ${source}`);
    const rel = outputPath(source, "unused");
    plan.set(rel, { path: rel, content: Buffer.from(file.content, "utf8"), ownership: "managed" });
  }
  if (makefile) {
    plan.set("Makefile", { path: "Makefile", content: Buffer.from(makefile), ownership: "merged" });
  }
  const packages = {
    [configCiSource.packageName]: configCiSource.packageVersion,
    [configPython.packageName]: configPython.packageVersion,
  };
  // Appending the missing targets keeps every existing rule: that edit needs no --force.
  return applyToExisting(plan, { project, commands, packages }, options, ["Makefile"]);
}
