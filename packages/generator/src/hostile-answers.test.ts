import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { parseAnswers, planProject } from "./generate.js";
import { createProject } from "./lifecycle/create.js";
import { nameProblem } from "./names.js";
import { assertInside } from "./paths.js";
import { validName } from "./valid-name.js";

// Every refusal names the rule it broke, in words a person can act on.
const rules =
  /empty|at most 55|Kubernetes DNS label|contains "--"|npm package name|Python keyword|standard library|shadow|directory|invalid answer/;

// Characters that have broken scaffolders: separators, dots, control characters, shell and
// template syntax, and Unicode look-alikes of the characters a valid name may hold.
const hostileChars = [
  ..."abcxyz019-",
  ..."/\\.:~",
  "\u0000",
  "\n",
  "\r",
  "\t",
  "\u001b",
  "\u007f",
  ..."$`;|&<>*?!'\"(){}[]#% =+@^",
  "{{",
  "}}",
  "${",
  "<%",
  "\u0430", // Cyrillic a
  "\u0441", // Cyrillic s
  "\u2010", // hyphen
  "\u2011", // non-breaking hyphen
  "\u200b", // zero-width space
  "\u202e", // right-to-left override
  "\uff43", // fullwidth c
  "\u0131", // dotless i
  "\u00df", // sharp s
  "\ud83d\ude00",
];
const hostileName = fc
  .array(fc.constantFrom(...hostileChars), { maxLength: 80 })
  .map((parts) => parts.join(""));

function refusalOrSafe(name: string): void {
  try {
    const answers = parseAnswers({ name });
    expect(answers.name).toMatch(/^[a-z][-a-z0-9]{0,62}$/);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(rules);
  }
}

describe("hostile answers (property)", () => {
  it("a name over the hostile alphabet is refused with a named rule, or is a safe label", () => {
    fc.assert(fc.property(hostileName, refusalOrSafe), { numRuns: 1000 });
  });

  it("any Unicode string is refused with a named rule, or is a safe label", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), refusalOrSafe), {
      numRuns: 500,
    });
  });

  it("any JSON value as answers gives a ValidationError or valid answers, never a crash", () => {
    const answers = fc.oneof(
      fc.jsonValue(),
      fc.record(
        { name: fc.oneof(fc.jsonValue(), hostileName), task: fc.jsonValue(), ci: fc.jsonValue() },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(answers, (raw) => {
        try {
          parseAnswers(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as Error).message).toMatch(/^invalid answer — /);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a refused name writes nothing, in the target or beside it", async () => {
    const root = await testdir({ "keep/mine.txt": "mine" });
    await fc.assert(
      fc.asyncProperty(
        hostileName.filter((name) => nameProblem(name) !== undefined),
        async (name) => {
          await expect(
            (async () =>
              createProject({
                targetDir: path.join(root, "target"),
                answers: parseAnswers({ name }),
              }))(),
          ).rejects.toBeInstanceOf(ValidationError);
        },
      ),
      { numRuns: 200 },
    );
    expect(await listTree(root)).toEqual(["keep/mine.txt"]);
    expect(await fs.readFile(path.join(root, "keep/mine.txt"), "utf8")).toBe("mine");
  });

  it("every valid name renders a whole project whose paths all stay inside the target", async () => {
    const target = "/nonexistent/ds-service-render-only";
    await fc.assert(
      fc.asyncProperty(
        validName,
        fc.constantFrom("classification", "regression"),
        fc.constantFrom("github", "gitlab"),
        async (name, task, ci) => {
          const answers = parseAnswers({ name, task, ci });
          const plan = await planProject(answers, target);
          const pkg = name.replaceAll("-", "_");
          expect(plan.size).toBeGreaterThan(40);
          for (const file of plan.values()) {
            expect(assertInside(target, file.path)).toBe(path.join(target, file.path));
          }
          expect(plan.has(`src/${pkg}/__init__.py`)).toBe(true);
          const pyproject = plan.get("pyproject.toml")?.content.toString() ?? "";
          expect(pyproject).toContain(`name = "${name}"`);
          const manifest = JSON.parse(
            plan.get(".ds-service/manifest.json")?.content.toString() ?? "",
          );
          expect(manifest.answers).toEqual({ name, task, ci });
        },
      ),
      { numRuns: 200 },
    );
  });
});
