import { describe, expect, it } from "vitest";
import { templateContext } from "./answers.js";
import { ValidationError } from "./errors.js";
import { parseAnswers, planProject } from "./generate.js";
import { manifestPath } from "./manifest/index.js";
import { renderPlan } from "./render.js";
import { selectFiles } from "./select.js";
import { type FileSource, sources, type TemplateFile } from "./sources.js";

describe("parseAnswers", () => {
  it("defaults the task and refuses unknown keys and bad values with every reason", () => {
    expect(parseAnswers({ name: "churn-model" })).toEqual({
      name: "churn-model",
      task: "classification",
      ci: "github",
    });
    const attempt = () => parseAnswers({ name: "Bad_Name", task: "clustering", extra: 1 });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/name: .*Kubernetes DNS label/);
    expect(attempt).toThrow(/task:/);
    expect(attempt).toThrow(/extra/);
  });
});

const source = (files: TemplateFile[]): FileSource => ({
  packageName: "test-source",
  packageVersion: "0.0.0",
  files,
});

describe("planProject", () => {
  it.each(["classification", "regression"] as const)(
    "renders every template file for %s, mapped and fully substituted",
    async (task) => {
      const answers = { name: "churn-model", task, ci: "github" } as const;
      const plan = await planProject(answers, "/tmp/never-written");
      const selected = selectFiles(sources, answers);
      expect(plan.size).toBe(selected.reduce((n, s) => n + s.files.length, 0) + 1);
      for (const rel of plan.keys()) {
        expect(rel).not.toMatch(/\.hbs$|__package__|(^|\/)_[a-z]/);
      }
      expect(plan.has("src/churn_model/__init__.py")).toBe(true);
      expect(plan.has(".gitignore")).toBe(true);
      const pyproject = plan.get("pyproject.toml")?.content.toString("utf8") ?? "";
      expect(pyproject).toContain('name = "churn-model"');
      const manifest = JSON.parse(plan.get(manifestPath)?.content.toString("utf8") ?? "{}");
      expect(manifest.answers).toEqual(answers);
    },
  );

  it("fails on a template variable that does not exist (strict mode)", async () => {
    const Handlebars = (await import("handlebars")).default;
    const spec = Handlebars.precompile("x = {{nope}}", { noEscape: true, strict: true });
    // biome-ignore lint/security/noGlobalEval: turning a precompiled spec back into an object
    const template = eval(`(${spec})`);
    const ctx = templateContext(
      { name: "a", task: "classification", ci: "github" },
      { generator: "0", template: "0" },
    );
    await expect(
      renderPlan([source([{ source: "x.py.hbs", ownership: "once", template }])], ctx, "/tmp/t"),
    ).rejects.toThrow(/nope/);
  });

  it("does not HTML-escape (noEscape): quotes and ampersands survive", async () => {
    const Handlebars = (await import("handlebars")).default;
    const spec = Handlebars.precompile('{{toml name}} & "{{package}}"', {
      noEscape: true,
      strict: true,
    });
    // biome-ignore lint/security/noGlobalEval: turning a precompiled spec back into an object
    const template = eval(`(${spec})`);
    const ctx = templateContext(
      { name: "a-b", task: "classification", ci: "github" },
      { generator: "0", template: "0" },
    );
    const plan = await renderPlan(
      [source([{ source: "x.hbs", ownership: "once", template }])],
      ctx,
      "/t",
    );
    expect(plan.get("x")?.content.toString()).toBe('"a-b" & "a_b"');
  });
});
