import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pythonKeywords, pythonStdlibModules } from "./data/python-names.js";
import { nameProblem } from "./names.js";

describe("nameProblem", () => {
  it.each(["churn-model", "a", "fraud-score2", "m1", "x".repeat(55)])("accepts %s", (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

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
    ["events", "npm package name"], // a Node.js core module
    ["pandas", "shadow"],
    ["sklearn", "shadow"],
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
});
