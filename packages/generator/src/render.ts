import type { TemplateFile } from "@ds-service/template-service";
import Handlebars from "handlebars";
import nodePlop, { type ActionType } from "node-plop";
import type { TemplateContext } from "./answers.js";
import { escapeHelpers } from "./escape.js";
import { assertInside, outputPath } from "./paths.js";
import type { Plan } from "./plan.js";
import type { FileSource } from "./sources.js";

const planActionType = "ds-service:plan";

/**
 * Our own Handlebars instance: the templates were precompiled with `noEscape` + `strict`, and
 * only the helpers registered here exist — a typo in a template is an error, not an empty string.
 */
function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  for (const [name, fn] of Object.entries(escapeHelpers)) hb.registerHelper(name, fn);
  return hb;
}

function renderFile(hb: typeof Handlebars, file: TemplateFile, ctx: TemplateContext): Buffer {
  if (file.template !== undefined) {
    // biome-ignore lint/suspicious/noExplicitAny: a precompiled spec is opaque to its types
    const render = hb.template(file.template as any);
    return Buffer.from(render(ctx), "utf8");
  }
  return Buffer.from(file.content ?? "", file.encoding ?? "utf8");
}

/**
 * Renders the template into an in-memory plan through a node-plop generator. Our action type
 * replaces plop's `add`, which awaits the file system file by file and writes straight to disk;
 * this one only adds to the plan, and the plan is written atomically afterwards.
 */
export async function renderPlan(
  sources: readonly FileSource[],
  ctx: TemplateContext,
  targetDir: string,
): Promise<Plan> {
  const plan: Plan = new Map();
  const hb = createHandlebars();
  const plop = await nodePlop(undefined, { destBasePath: targetDir, force: false });

  // async so a throw becomes a rejection, which plop reports as { type, path, error }.
  const planFile: ActionType = async (_answers, config) => {
    const { file, from } = config as unknown as { file: TemplateFile; from: string };
    const rel = outputPath(file.source, ctx.package);
    assertInside(targetDir, rel);
    if (plan.has(rel)) throw new Error(`${from} and an earlier package both write ${rel}`);
    const content = renderFile(hb, file, ctx);
    const mode = file.mode === undefined ? {} : { mode: file.mode };
    plan.set(rel, { path: rel, content, ownership: file.ownership, ...mode });
    return rel;
  };
  plop.setActionType(planActionType, planFile);

  const generator = plop.setGenerator("service", {
    description: "A Python model service",
    prompts: [],
    actions: sources.flatMap((source) =>
      source.files.map((file) => ({
        type: planActionType,
        file,
        from: source.packageName,
        abortOnFail: true,
      })),
    ),
  });
  const { failures } = await generator.runActions({ ...ctx });
  const failure = failures.find((f) => f.error !== "Aborted due to previous action failure");
  if (failure) {
    throw new Error(`rendering ${failure.path || failure.type} failed: ${failure.error}`);
  }
  return plan;
}
