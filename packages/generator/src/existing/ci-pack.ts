import * as configCi from "@ds-service/config-ci";
import { isMap, isSeq, parseDocument } from "yaml";
import { outputPath } from "../paths.js";
import type { Plan } from "../plan.js";
import type { CiCommands } from "./commands.js";

export const configCiSource = configCi;

/** The config-ci files `add ci` copies: CI, its reusable workflow, CodeQL, dependabot, policy. */
const ciPackFiles = [
  "_github/workflows/ci.yml",
  "_github/workflows/python-ci.yml",
  "_github/workflows/codeql.yml",
  "_github/dependabot.yml",
  "SECURITY.md",
] as const;

function sourceText(source: string): string {
  const file = configCi.files.find((f) => f.source === source);
  if (file?.content === undefined)
    throw new Error(`@ds-service/config-ci has no plain file ${source}`);
  return file.content;
}

/**
 * ci.yml with the repository's own commands. The image job calls the deploy pack's make targets
 * (lint-docker, verify-base-images), so it stays only where those exist.
 */
export function renderCiWorkflow(commands: CiCommands, options: { imageJob: boolean }): string {
  // The template's header describes a generated model service; this repository gets its own.
  const body = sourceText("_github/workflows/ci.yml").replace(/^(#.*\n|\s*\n)*/, "");
  const doc = parseDocument(body);
  const withPath = ["jobs", "check", "with"];
  if (!isMap(doc.getIn(withPath))) throw new Error("config-ci's ci.yml has no jobs.check.with");
  doc.setIn([...withPath, "python-version"], commands.pythonVersion);
  doc.setIn([...withPath, "uv"], commands.uv);
  doc.setIn([...withPath, "setup"], commands.setup);
  doc.setIn([...withPath, "check"], commands.check);
  // Training and its artifact are a model-service convention, not an arbitrary repo's.
  doc.deleteIn([...withPath, "train"]);
  doc.deleteIn([...withPath, "artifact-path"]);
  if (!options.imageJob) doc.deleteIn(["jobs", "image"]);
  doc.commentBefore =
    " CI for this repository, added by `ds-service add ci`: it runs the commands found here.\n" +
    " Change them in the `with:` block below; the steps are in python-ci.yml.";
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** dependabot.yml for the ecosystems the repository uses. */
export function renderDependabot(options: { uv: boolean; dockerfile: boolean }): string {
  const doc = parseDocument(sourceText("_github/dependabot.yml"));
  const updates = doc.get("updates");
  if (!isSeq(updates)) throw new Error("config-ci's dependabot.yml has no updates list");
  updates.items = updates.items.filter((item) => {
    const ecosystem = isMap(item) ? item.get("package-ecosystem") : undefined;
    return ecosystem !== "docker" || options.dockerfile;
  });
  if (!options.uv) {
    // poetry and pip projects are both the `pip` ecosystem.
    const python = updates.items.find((i) => isMap(i) && i.get("package-ecosystem") === "uv");
    if (isMap(python)) python.set("package-ecosystem", "pip");
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** The CI pack for an existing repository, as a plan of managed files. */
export function planCiPack(
  commands: CiCommands,
  options: { dockerfile: boolean; imageJob: boolean },
): Plan {
  const plan: Plan = new Map();
  for (const source of ciPackFiles) {
    const rel = outputPath(source, "unused");
    const text =
      source === "_github/workflows/ci.yml"
        ? renderCiWorkflow(commands, { imageJob: options.imageJob })
        : source === "_github/dependabot.yml"
          ? renderDependabot({ uv: commands.uv, dockerfile: options.dockerfile })
          : sourceText(source);
    plan.set(rel, { path: rel, content: Buffer.from(text, "utf8"), ownership: "managed" });
  }
  return plan;
}
