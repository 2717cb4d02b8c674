import { toolCommands } from "./commands.js";
import type { ProjectLayout } from "./detect.js";

export const adoptedTargets = ["setup", "lint", "typecheck", "test", "check"] as const;

const descriptions: Record<(typeof adoptedTargets)[number], string> = {
  setup: "Install the environment",
  lint: "Lint the code",
  typecheck: "Type-check the code",
  test: "Run the tests",
  check: "Everything CI runs",
};

/**
 * The Makefile with the standard targets it lacks appended (existing rules are kept as they
 * are), so people and CI run the same commands. Undefined when nothing is missing.
 */
export function withMissingTargets(
  makefile: string | undefined,
  project: ProjectLayout,
): string | undefined {
  const tools = toolCommands(project);
  const recipes: Partial<Record<(typeof adoptedTargets)[number], string>> = {
    setup: tools.setup,
    ...(tools.lint ? { lint: tools.lint } : {}),
    ...(tools.typecheck ? { typecheck: tools.typecheck } : {}),
    ...(tools.test ? { test: tools.test } : {}),
  };
  const existing = new Set(project.makeTargets);
  const checkParts = (["lint", "typecheck", "test"] as const).filter(
    (t) => existing.has(t) || recipes[t] !== undefined,
  );
  const missing = adoptedTargets.filter(
    (t) => !existing.has(t) && (t === "check" || recipes[t] !== undefined),
  );
  if (missing.length === 0) return undefined;
  const rules = missing.map((t) => {
    if (t === "check") {
      const body =
        checkParts.length > 0
          ? `check: ${checkParts.join(" ")} ## ${descriptions.check}`
          : `check: ## ${descriptions.check}\n\tpython -m compileall -q ${project.codeDirs.join(" ")}`;
      return body;
    }
    return `${t}: ## ${descriptions[t]}\n\t${recipes[t]}`;
  });
  const block = [
    "# Targets added by `ds-service adopt`: the commands CI runs, runnable locally.",
    `.PHONY: ${missing.join(" ")}`,
    "",
    rules.join("\n\n"),
    "",
  ].join("\n");
  if (makefile === undefined || makefile.trim() === "") return block;
  return `${makefile.replace(/\n*$/, "\n")}\n${block}`;
}
