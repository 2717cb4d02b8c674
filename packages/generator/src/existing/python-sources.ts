import path from "node:path";
import { satisfies } from "@renovatebot/pep440";
import { isMap, isScalar, isSeq, visit } from "yaml";
import { pythonForRequires } from "./python-version.js";
import { iniValue, readText, safeDocuments, workflows } from "./repo-files.js";

/** The Python CI runs, and where it was read: printed, so the owner sees why. */
export interface PythonChoice {
  readonly version: string;
  readonly source: string;
}

/** A version the repository already names somewhere, with the file that names it. */
interface Named {
  readonly version: string;
  readonly source: string;
}

const minor = /^(3\.\d{1,2})(\.\d+)?$/;

/**
 * The Python minor version the added CI sets up. `requires-python` bounds the choice; within it,
 * what the repository already runs wins, in this order: `.python-version`, its GitHub workflows
 * (setup-python / setup-uv, matrix entries included), its GitLab pipeline's python image, then
 * tox's envlist and nox's sessions. Nothing named there: the version `requires-python` allows
 * (see pythonForRequires). A repo whose CI tests 3.10 keeps 3.10, where picking our default
 * 3.11 broke a real dependency.
 */
export async function choosePython(
  cwd: string,
  requiresPython: string | undefined,
  requiresPythonFrom = `requires-python "${requiresPython?.trim()}"`,
): Promise<PythonChoice> {
  const allowed = (v: string) =>
    requiresPython === undefined || requiresPython.trim() === ""
      ? true
      : satisfies(`${v}.99`, requiresPython);
  for (const named of await namedVersions(cwd)) {
    const version = named.version.match(minor)?.[1];
    if (version !== undefined && allowed(version)) return { version, source: named.source };
  }
  const version = pythonForRequires(requiresPython, path.join(cwd, "pyproject.toml"));
  return {
    version,
    source: requiresPython?.trim()
      ? `pyproject.toml ${requiresPythonFrom}`
      : "nothing in the repository names one: the default",
  };
}

async function namedVersions(cwd: string): Promise<Named[]> {
  const found: Named[] = [];
  const pinned = (await readText(cwd, ".python-version"))?.trim().split("\n")[0]?.trim();
  if (pinned) found.push({ version: pinned, source: ".python-version" });
  for (const { rel, text } of await workflows(cwd)) {
    for (const version of workflowVersions(text)) {
      // `python-version-file: .python-version-default`: the version is that file's.
      const file = version.match(/^file:(.+)$/)?.[1];
      const named = file ? (await readText(cwd, file))?.trim().split("\n")[0]?.trim() : version;
      if (named) found.push({ version: named, source: file ? `${file} (${rel})` : rel });
    }
  }
  for (const version of gitlabVersions((await readText(cwd, ".gitlab-ci.yml")) ?? ""))
    found.push({ version, source: ".gitlab-ci.yml" });
  for (const version of toxVersions((await readText(cwd, "tox.ini")) ?? ""))
    found.push({ version, source: "tox.ini" });
  for (const version of noxVersions((await readText(cwd, "noxfile.py")) ?? ""))
    found.push({ version, source: "noxfile.py" });
  return found;
}

/**
 * `python-version` inputs of setup-python and setup-uv steps, as written (the failsafe schema
 * keeps `3.10` the string it is, not the float 3.1); `${{ matrix.x }}` is read from the job's
 * matrix, every entry in order. A `python-version-file` input is returned as `file:<path>`,
 * for the caller to read.
 */
export function workflowVersions(text: string): string[] {
  const versions: string[] = [];
  for (const doc of safeDocuments(text)) {
    const jobs = doc.get("jobs");
    if (!isMap(jobs)) continue;
    for (const job of jobs.items) {
      if (!isMap(job.value)) continue;
      const matrix = job.value.getIn(["strategy", "matrix"]);
      visit(job.value, {
        Map(_, step) {
          const uses = step.get("uses");
          if (typeof uses !== "string" || !/setup-(python|uv)@/.test(uses)) return;
          const input = step.getIn(["with", "python-version"]);
          const file = step.getIn(["with", "python-version-file"]);
          if (typeof input !== "string") {
            if (typeof file === "string" && !file.includes("${{")) versions.push(`file:${file}`);
            return;
          }
          const ref = input.match(/^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/)?.[1];
          if (ref === undefined) versions.push(input.trim());
          else if (isMap(matrix)) {
            const entries = matrix.get(ref, true);
            if (isSeq(entries)) versions.push(...entries.items.filter(isScalar).map(String));
            else if (isScalar(entries)) versions.push(String(entries));
          }
        },
      });
    }
  }
  return versions;
}

/** `python:3.10…` images, the pipeline's default first. */
export function gitlabVersions(text: string): string[] {
  const versions: string[] = [];
  for (const doc of safeDocuments(text)) {
    visit(doc, {
      Pair(_, pair) {
        if (!isScalar(pair.key) || String(pair.key.value) !== "image") return;
        const value = isMap(pair.value) ? pair.value.get("name") : String(pair.value);
        const tag = String(value ?? "").match(/(?:^|\/)python:(3\.\d{1,2})/)?.[1];
        if (tag !== undefined) versions.push(tag);
      },
    });
  }
  return versions;
}

/** tox's `envlist = py310, py311`: each `pyXY` as X.Y, in order. */
export function toxVersions(text: string): string[] {
  return [...iniValue(text, "env_?list").matchAll(/\bpy3(\d{1,2})\b/g)].map((m) => `3.${m[1]}`);
}

/** nox's `@nox.session(python=[...])`: the quoted versions, in order. */
export function noxVersions(text: string): string[] {
  const versions: string[] = [];
  for (const m of text.matchAll(/python\s*=\s*(\[[^\]]*\]|"[^"]*"|'[^']*')/g))
    versions.push(...[...(m[1] ?? "").matchAll(/["'](3\.\d{1,2})["']/g)].map((v) => v[1] ?? ""));
  return versions;
}
