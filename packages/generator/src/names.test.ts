import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pythonKeywords, pythonStdlibModules } from "./data/python-names.js";
import { parseAnswers, planProject } from "./generate.js";
import { nameProblem, projectDirectories } from "./names.js";

describe("nameProblem", () => {
  // "test" and "src-model" are fine: no directory of the project has those names.
  it.each(["churn-model", "a", "fraud-score2", "m1", "x".repeat(55), "tester", "src-model"])(
    "accepts %s",
    (name) => {
      expect(nameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ["", "empty"],
    ["Churn", "Kubernetes DNS label"],
    ["churn_model", "Kubernetes DNS label"],
    ["1churn", "start with a letter"],
    ["churn-", "end with a letter or digit"],
    ["-churn", "Kubernetes DNS label"],
    ["../evil", "Kubernetes DNS label"],
    ["/abs", "Kubernetes DNS label"],
    ["a/b", "Kubernetes DNS label"],
    ["a b", "Kubernetes DNS label"],
    ["a\u0000b", "Kubernetes DNS label"],
    ["a;rm", "Kubernetes DNS label"],
    ["{{name}}", "Kubernetes DNS label"],
    ["сhurn", "Kubernetes DNS label"], // Cyrillic "с"
    ["x".repeat(64), "at most 55"],
    ["x".repeat(56), 'namespace "<name>-staging" must fit in 63'],
    ["a--b", "__"],
    ["class", "Python keyword"],
    ["match", "Python keyword"],
    ["json", "standard library"],
    ["asyncio", "standard library"],
    ["test", "standard library"], // CPython's regression tests, outside stdlib_module_names
    ["events", "npm package name"], // a Node.js core module
    ["pandas", "shadow"],
    ["sklearn", "shadow"],
    ["ruamel", "shadow"],
    ["tests", 'own "tests/" directory'],
    ["src", 'own "src/" directory'],
    ["monitoring", 'own "monitoring/" directory'],
    ["artifacts", 'own "artifacts/" directory'],
  ])("refuses %j (%s)", (name, rule) => {
    expect(nameProblem(name)).toContain(rule);
  });

  it("every accepted name is a DNS label, an identifier after - → _, and no keyword or stdlib module", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (name) => {
        if (nameProblem(name) !== undefined) return;
        const pkg = name.replaceAll("-", "_");
        expect(name).toMatch(/^[a-z][-a-z0-9]{0,54}$/);
        // Every namespace the deploy overlays derive is a DNS label too.
        for (const env of ["staging", "prod"])
          expect(`${name}-${env}`.length).toBeLessThanOrEqual(63);
        expect(pkg).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(pythonKeywords.has(pkg) || pythonStdlibModules.has(pkg)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses every top-level directory a generated project has", async () => {
    const plan = await planProject(parseAnswers({ name: "dir-probe" }), "/nonexistent/dir-probe");
    const directories = new Set(
      [...plan.keys()]
        .filter((file) => file.includes("/") && !file.startsWith("."))
        .map((file) => file.split("/")[0] ?? ""),
    );
    expect(directories.size).toBeGreaterThan(3);
    for (const directory of directories) expect(projectDirectories).toContain(directory);
  });

  it("keeps every Python line within ruff's 100 columns for the longest valid names", async () => {
    // The package name is substituted into imports; a long one must not break `make lint`.
    for (const name of [`a${"b".repeat(53)}c`, `a${"-b".repeat(27)}`]) {
      expect(nameProblem(name)).toBeUndefined();
      const plan = await planProject(parseAnswers({ name }), "/nonexistent/long-name");
      for (const [file, planned] of plan) {
        if (!file.endsWith(".py")) continue;
        const lines = planned.content.toString("utf8").split("\n");
        const pkg = name.replaceAll("-", "_");
        const long = lines.filter((line) => line.includes(pkg) && line.length > 100);
        expect(long, `${file} (${name.length} characters)`).toEqual([]);
      }
    }
  });
});
