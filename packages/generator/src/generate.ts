import type { z } from "zod";
import pkg from "../package.json" with { type: "json" };
import { type Answers, answersSchema, templateContext } from "./answers.js";
import { derivePrometheusRule } from "./derive.js";
import { ValidationError } from "./errors.js";
import { buildManifest, manifestFile, manifestPath } from "./manifest/index.js";
import type { Plan } from "./plan.js";
import { renderPlan } from "./render.js";
import { selectFiles } from "./select.js";
import { type FileSource, sources, templateVersion } from "./sources.js";

export const generatorVersion: string = pkg.version;

/** Validates answers with the one schema; every problem in one message, as a ValidationError. */
export function parseAnswers(raw: unknown): Answers {
  const result = answersSchema.safeParse(raw);
  if (!result.success) throw new ValidationError(formatIssues(result.error.issues));
  return result.data;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
      return `invalid answer — ${where}${issue.message}`;
    })
    .join("\n");
}

/**
 * Renders the whole project in memory, manifest included; touches no disk. `from` are the
 * packages to render, by default those this ds-service carries (an upgrade may name others).
 */
export async function planProject(
  answers: Answers,
  targetDir: string,
  from: readonly FileSource[] = sources,
): Promise<Plan> {
  const ctx = templateContext(answers, {
    generator: generatorVersion,
    template: templateVersion(from),
  });
  const plan = await renderPlan(selectFiles(from, answers), ctx, targetDir);
  derivePrometheusRule(plan, answers.name);
  const manifest = buildManifest(plan, answers, {
    generator: { name: pkg.name, version: generatorVersion },
    packages: Object.fromEntries(from.map((s) => [s.packageName, s.packageVersion])),
  });
  plan.set(manifestPath, manifestFile(manifest));
  return plan;
}
