/**
 * Requirement names, the way pip compares them. Only the name is read: PEP 508's name grammar is
 * one rule, and what follows it (extras, versions, markers, URLs) does not change which tool it is.
 */

/** PEP 503: names compare lowercased, with each run of `-`, `_` and `.` as one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

// PEP 508: letters and digits, with `-`, `_`, `.` inside; then extras, a version, a URL, markers
// or the end. A path or a VCS URL (`./lib`, `git+https://…`) has no name here.
const pep508Name = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?=$|[[(<>=!~;@])/;

/** The normalized name of a PEP 508 requirement (`Ruff[all]>=0.6; …` → `ruff`), if it has one. */
export function requirementName(requirement: string): string | undefined {
  const name = pep508Name.exec(requirement)?.[1];
  return name === undefined ? undefined : normalizeName(name);
}

/**
 * Names in a pip requirements file: lines joined at a trailing `\`, comments (`#` at the start
 * or after whitespace) dropped, option lines (`-r`, `-e`, `--index-url` …) skipped.
 */
export function requirementsFileNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.replace(/\\\r?\n/g, "").split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "" || line.startsWith("-")) continue;
    const name = requirementName(line);
    if (name !== undefined) names.push(name);
  }
  return names;
}

/**
 * Whether a requirements file installs the project itself (`.`, `-e .`, `-e .[dev]`,
 * `file:.`): then CI must not add `.` again, which pip refuses as a double requirement.
 */
export function installsProject(text: string): boolean {
  return text
    .replace(/\\\r?\n/g, "")
    .split(/\r?\n/)
    .map((raw) => raw.replace(/(^|\s)#.*$/, "").trim())
    .some((line) => /^(?:(?:-e|--editable)(?:\s+|=))?(?:file:)?\.\/?(?:\[[^\]]*\])?$/.test(line));
}
