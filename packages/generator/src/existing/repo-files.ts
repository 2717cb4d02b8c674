import fs from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments, visit } from "yaml";

// Reading what a repository already says about itself (its CI files, its tool config), for the
// choices `add ci` and `adopt` make: tolerant, since a broken file of theirs names nothing.

/** A file's text, or undefined when it cannot be read. */
export async function readText(cwd: string, rel: string): Promise<string | undefined> {
  return fs.readFile(path.join(cwd, rel), "utf8").catch(() => undefined);
}

/**
 * The repository's GitHub workflow files, those that test this repository first: a workflow
 * that runs its tests (pytest, tox, nox, `make test`/`make check`) before the others (docs,
 * release), and last one that checks out another repository (a downstream test of a dependent
 * project says nothing about this one's Python or test command). By name within each rank.
 * Each with its text, read once here for the ranking and for the callers.
 */
export async function workflows(cwd: string): Promise<{ rel: string; text: string }[]> {
  const dir = ".github/workflows";
  const names = await fs.readdir(path.join(cwd, dir)).catch(() => [] as string[]);
  const files = names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => `${dir}/${n}`);
  const read = await Promise.all(
    files.map(async (rel) => {
      const text = (await readText(cwd, rel)) ?? "";
      return { rel, text, rank: workflowRank(text) };
    }),
  );
  return read.sort((a, b) => a.rank - b.rank).map(({ rel, text }) => ({ rel, text }));
}

/**
 * pytest, `make test`/`make check`, or tox/nox run on an environment that is not the docs' (a
 * line that installs tox runs nothing).
 */
function runsTests(run: string): boolean {
  return run
    .split("\n")
    .some(
      (line) =>
        /\bpytest\b|\bmake\s+(test|check)\b/.test(line) ||
        (/(^|[\s;&|])(tox|nox)(\s|$)/.test(line) &&
          !/\binstall\b/.test(line) &&
          !/\s(-e|-s|--session)\s+\S*doc/.test(line)),
    );
}

/** 0: runs this repository's tests; 1: another workflow; 2: checks out another repository. */
function workflowRank(text: string): number {
  let foreign = false;
  let tests = false;
  for (const doc of safeDocuments(text)) {
    visit(doc, {
      Map(_, step) {
        const uses = step.get("uses");
        const repository = step.getIn(["with", "repository"]);
        if (
          typeof uses === "string" &&
          uses.startsWith("actions/checkout@") &&
          typeof repository === "string" &&
          !repository.includes("github.repository")
        )
          foreign = true;
        const run = step.get("run");
        if (typeof run === "string" && runsTests(run)) tests = true;
      },
    });
  }
  return foreign ? 2 : tests ? 0 : 1;
}

/** The documents of a YAML file that parse, all scalars as strings; a broken file names none. */
export function safeDocuments(text: string) {
  try {
    return parseAllDocuments(text, { schema: "failsafe" }).filter(
      (d) => "errors" in d && d.errors.length === 0,
    );
  } catch {
    return [];
  }
}

/**
 * An INI key's value with its indented continuation lines (how tox.ini and setup.cfg write
 * lists), or "" when the key is absent. `key` is a regular expression for the key's name.
 */
export function iniValue(text: string, key: string): string {
  const value = new RegExp(String.raw`^\s*(?:${key})\s*=\s*((?:.*\n?)(?:[ \t]+\S.*\n?)*)`, "m");
  return text.match(value)?.[1] ?? "";
}
