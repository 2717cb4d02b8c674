import { quote } from "shell-quote";
import { parse } from "smol-toml";
import { isScalar, isSeq, visit } from "yaml";
import { iniValue, readText, safeDocuments, workflows } from "./repo-files.js";

/** The pytest arguments the repository already runs its tests with, and where they were read. */
export interface RepoPytest {
  /** Everything after `pytest` (paths, `-m`, options); empty for a bare `pytest`. */
  readonly args: string;
  readonly source: string;
}

/**
 * How the repository already runs pytest, from what it runs most surely to what it only tells
 * people: its CI (GitHub workflows, the GitLab pipeline), then its task runners (tox, nox, the
 * tasks in pyproject.toml, the Makefile's recipes), then the commands its README shows. Plain
 * `pytest` follows `testpaths` into suites that need options or data the repo never gives them;
 * the narrower command it already runs is the one known to pass. Only a literal command is
 * taken: one with a CI expression or a shell variable in it is passed over.
 */
export async function repoPytest(cwd: string): Promise<RepoPytest | undefined> {
  for (const { rel, text } of await workflows(cwd)) {
    const found = firstPytest(workflowRuns(text));
    if (found !== undefined) return { args: found, source: rel };
  }
  const sources: [string, (text: string) => string[]][] = [
    [".gitlab-ci.yml", gitlabScripts],
    ["tox.ini", toxCommands],
    ["noxfile.py", noxRuns],
    ["pyproject.toml", pyprojectTasks],
    ["Makefile", makeRecipes],
    ["README.md", readmeCommands],
    ["README.rst", readmeCommands],
  ];
  for (const [source, lines] of sources) {
    const found = firstPytest(lines((await readText(cwd, source)) ?? ""));
    if (found !== undefined) return { args: found, source };
  }
  return undefined;
}

/** The first shell line that runs pytest, as its arguments; `undefined` when none does. */
export function firstPytest(lines: readonly string[]): string | undefined {
  for (const line of lines.flatMap((l) => l.split(/&&|\|\||;|\n/))) {
    const m = line
      .trim()
      .replace(/^\$\s+/, "") // a README's prompt
      .match(
        // A runner, or a Python named directly or by a make variable (`$(PYTHON) -m pytest`).
        /^(?:(?:uv|poetry|pdm|hatch)\s+run\s+|(?:python3?|\$\(\w+\)|\$\{\w+\})\s+-m\s+)?pytest(?:\s+(.*))?$/,
      );
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

/**
 * nox's `session.run("pytest", "tests/unit", *session.posargs)` calls, as command lines: only
 * calls whose arguments are all plain string literals (posargs dropped, as tox's are). nox passes
 * each argument as it is, with no shell: quoted here, `"-m", "not slow"` stays two arguments.
 */
function noxRuns(text: string): string[] {
  const lines: string[] = [];
  for (const call of text.matchAll(/session\.run\(([^()]*)\)/g)) {
    const args = (call[1] ?? "")
      .split(",")
      .map((arg) => arg.trim())
      .filter((arg) => arg !== "" && arg !== "*session.posargs");
    const literals = args.map((arg) => /^(["'])([^"'\\]*)\1$/.exec(arg)?.[2]);
    if (literals.every((l) => l !== undefined)) lines.push(quote(literals));
  }
  return lines;
}

/**
 * The commands of the task runners configured in pyproject.toml (poe, taskipy, hatch's env
 * scripts, pdm's scripts): a task `test` or `tests` first, then the others in file order.
 */
function pyprojectTasks(text: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const tool = record(doc.tool);
  const hatchEnvs = Object.values(record(record(tool.hatch).envs)).map((env) =>
    record(record(env).scripts),
  );
  const tables = [
    record(record(tool.poe).tasks),
    record(record(tool.taskipy).tasks),
    ...hatchEnvs,
    record(record(tool.pdm).scripts),
  ];
  const tasks = tables.flatMap((table) => Object.entries(table));
  const named = (name: string) => (name === "test" || name === "tests" ? 0 : 1);
  return tasks.sort(([a], [b]) => named(a) - named(b)).flatMap(([, task]) => commandsOf(task));
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * A task's command lines: a string, a list of them, or a table's `cmd` / `shell`. A `cmd` given
 * as a list (pdm's form) is an argument vector, run without a shell: quoted into one line.
 */
function commandsOf(task: unknown): string[] {
  if (typeof task === "string") return [task];
  if (Array.isArray(task)) return task.filter((t): t is string => typeof t === "string");
  const { cmd, shell } = record(task);
  const argv = Array.isArray(cmd) && cmd.every((t) => typeof t === "string") ? [quote(cmd)] : [];
  return [...argv, ...[cmd, shell].filter((t): t is string => typeof t === "string")];
}

/** Every recipe line of the Makefile (tab-indented), without make's `@` and `-` prefixes. */
function makeRecipes(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("\t"))
    .map((line) => line.trim().replace(/^[@-]+/, ""));
}

/**
 * The lines of the README's code: fenced blocks (```), and reStructuredText's `::` and
 * code-block blocks (indented). What a README tells a person to run, in order.
 */
function readmeCommands(text: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  let literal = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) lines.push(line);
    else if (literal && /^\s+\S/.test(line)) lines.push(line);
    else if (line.trim() !== "") literal = /::\s*$/.test(line) || /^\.\. code-block::/.test(line);
  }
  return lines;
}
