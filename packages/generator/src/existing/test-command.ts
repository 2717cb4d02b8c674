import { isScalar, isSeq, visit } from "yaml";
import { iniValue, readText, safeDocuments, workflowFiles } from "./repo-files.js";

/** The pytest arguments the repository already runs its tests with, and where they were read. */
export interface RepoPytest {
  /** Everything after `pytest` (paths, `-m`, options); empty for a bare `pytest`. */
  readonly args: string;
  readonly source: string;
}

/**
 * How the repository's own CI (its GitHub workflows, its GitLab pipeline, then tox) runs pytest.
 * Plain `pytest` follows `testpaths` into suites that need options or data the repo's CI never
 * gives them; the narrower command it already runs is the one known to pass. Only a literal
 * command is taken: one with a CI expression or a shell variable in it is passed over.
 */
export async function repoPytest(cwd: string): Promise<RepoPytest | undefined> {
  for (const rel of await workflowFiles(cwd)) {
    const found = firstPytest(workflowRuns((await readText(cwd, rel)) ?? ""));
    if (found !== undefined) return { args: found, source: rel };
  }
  const gitlab = firstPytest(gitlabScripts((await readText(cwd, ".gitlab-ci.yml")) ?? ""));
  if (gitlab !== undefined) return { args: gitlab, source: ".gitlab-ci.yml" };
  const tox = firstPytest(toxCommands((await readText(cwd, "tox.ini")) ?? ""));
  if (tox !== undefined) return { args: tox, source: "tox.ini" };
  return undefined;
}

/** The first shell line that runs pytest, as its arguments; `undefined` when none does. */
export function firstPytest(lines: readonly string[]): string | undefined {
  for (const line of lines.flatMap((l) => l.split(/&&|\|\||;|\n/))) {
    const m = line
      .trim()
      .match(/^(?:(?:uv|poetry|pdm|hatch)\s+run\s+|python3?\s+-m\s+)?pytest(?:\s+(.*))?$/);
    if (m === null) continue;
    const args = (m[1] ?? "").trim();
    if (/\$|`|[|><]/.test(args)) continue;
    return args;
  }
  return undefined;
}

/** Every `run:` of every step, in file order. */
function workflowRuns(text: string): string[] {
  const runs: string[] = [];
  for (const doc of safeDocuments(text)) {
    visit(doc, {
      Map(_, step) {
        const run = step.get("run");
        if (typeof run === "string") runs.push(run);
      },
    });
  }
  return runs;
}

/** Every line of every job's `script:`, in file order. */
function gitlabScripts(text: string): string[] {
  const lines: string[] = [];
  for (const doc of safeDocuments(text)) {
    visit(doc, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || String(pair.key.value) !== "script") return;
        const value = pair.value;
        if (isScalar(value)) lines.push(String(value.value));
        else if (isSeq(value))
          lines.push(...value.items.filter(isScalar).map((i) => String(i.value)));
      },
    });
  }
  return lines;
}

/** tox's `commands =` lines (continuation lines indented), with tox's `{posargs}` dropped. */
function toxCommands(text: string): string[] {
  return iniValue(text, "commands")
    .split("\n")
    .map((l) => l.replace(/\{posargs[^}]*\}/g, "").trim());
}
