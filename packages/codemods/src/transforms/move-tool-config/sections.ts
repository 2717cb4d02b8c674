/**
 * A TOML file cut into its tables without parsing values, so a codemod can drop or insert whole
 * tables and leave every other byte — comments, spacing, key order — exactly as it was.
 * Joining every section's `leading` and `body` lines and the `epilogue` gives back the input.
 */
export interface Section {
  /** Dotted table name without quotes or spaces; `""` for the lines before the first header. */
  readonly name: string;
  /** Blank and comment lines between the previous table's last statement and this header. */
  leading: string[];
  /** The header line and every line up to this table's last statement. */
  body: string[];
}

export interface TomlLayout {
  readonly sections: Section[];
  /** Blank and comment lines after the last statement. */
  readonly epilogue: string[];
}

interface ScanState {
  /** Inside a multi-line string opened by this delimiter. */
  string: '"""' | "'''" | null;
  /** Open `[` and `{` of a value that spans lines. */
  depth: number;
}

export function splitTables(text: string): TomlLayout {
  const sections: Section[] = [{ name: "", leading: [], body: [] }];
  const state: ScanState = { string: null, depth: 0 };
  let pending: string[] = [];
  for (const line of text.split("\n")) {
    const current = sections[sections.length - 1] as Section;
    if (state.string !== null || state.depth > 0) {
      // A continuation line of a multi-line value: comments and blanks in it are the value's.
      current.body.push(line);
      scanLine(line, state);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) {
      pending.push(line);
    } else if (trimmed.startsWith("[")) {
      sections.push({ name: headerName(trimmed), leading: pending, body: [line] });
      pending = [];
    } else {
      current.body.push(...pending, line);
      pending = [];
      scanLine(line, state);
    }
  }
  return { sections, epilogue: pending };
}

export function joinTables(layout: TomlLayout): string {
  return [...layout.sections.flatMap((s) => [...s.leading, ...s.body]), ...layout.epilogue].join(
    "\n",
  );
}

function headerName(header: string): string {
  const inner = header.replace(/^\[\[?/, "").replace(/\]\]?\s*(#.*)?$/, "");
  return inner
    .split(".")
    .map((part) => part.trim().replace(/^["']|["']$/g, ""))
    .join(".");
}

/** Tracks strings and brackets through one line of a key/value statement. */
function scanLine(line: string, state: ScanState): void {
  let i = 0;
  while (i < line.length) {
    if (state.string !== null) {
      const end = findClosing(line, i, state.string);
      if (end < 0) return;
      state.string = null;
      i = end + 3;
      continue;
    }
    const c = line[i];
    if (c === "#") return;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      state.string = line.slice(i, i + 3) as '"""' | "'''";
      i += 3;
    } else if (c === '"' || c === "'") {
      i = skipString(line, i, c) + 1;
    } else {
      if (c === "[" || c === "{") state.depth += 1;
      if (c === "]" || c === "}") state.depth -= 1;
      i += 1;
    }
  }
}

function findClosing(line: string, from: number, delimiter: string): number {
  for (let i = from; i < line.length; i += 1) {
    if (delimiter === '"""' && line[i] === "\\") i += 1;
    else if (line.startsWith(delimiter, i)) return i;
  }
  return -1;
}

/** Index of the quote closing the single-line string that opens at `start`. */
function skipString(line: string, start: number, quote: string): number {
  for (let i = start + 1; i < line.length; i += 1) {
    if (quote === '"' && line[i] === "\\") i += 1;
    else if (line[i] === quote) return i;
  }
  return line.length;
}
