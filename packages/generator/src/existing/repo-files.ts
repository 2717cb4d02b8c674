import fs from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";

// Reading what a repository already says about itself (its CI files, its tool config), for the
// choices `add ci` and `adopt` make: tolerant, since a broken file of theirs names nothing.

/** A file's text, or undefined when it cannot be read. */
export async function readText(cwd: string, rel: string): Promise<string | undefined> {
  return fs.readFile(path.join(cwd, rel), "utf8").catch(() => undefined);
}

/** The repository's GitHub workflow files, sorted. */
export async function workflowFiles(cwd: string): Promise<string[]> {
  const dir = ".github/workflows";
  const names = await fs.readdir(path.join(cwd, dir)).catch(() => [] as string[]);
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => `${dir}/${n}`);
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
