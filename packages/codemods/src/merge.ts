import { merge } from "node-diff3";

export interface MergeResult {
  readonly content: string;
  readonly conflict: boolean;
}

/** "mixed": some lines end in CRLF, some in LF; its CRs stay inside its lines, joined by LF. */
type Eol = "\n" | "\r\n" | "mixed";

/** A text as lines, with its line ending and final newline held apart from its content. */
interface Lines {
  readonly lines: string[];
  /** null: the text has no line ending at all, so it says nothing about which one it uses. */
  readonly eol: Eol | null;
  readonly finalNewline: boolean;
}

/**
 * Line-based 3-way merge of `ours` (the project's file) and `theirs` (the new template render)
 * against `base` (the pristine render the project started from). Conflicts come out as standard
 * git conflict markers, so editors and `git diff` show them as they show any merge conflict.
 *
 * Line endings and the final newline are merged as properties of the file, not as part of every
 * line: a project that turned a file to CRLF, or dropped its final newline, keeps that while
 * the template's changes come in, and a conflict file is written in the project's line endings.
 */
export function threeWayMerge(ours: string, base: string, theirs: string): MergeResult {
  if (ours === theirs) return { content: ours, conflict: false };
  if (ours === base) return { content: theirs, conflict: false };
  if (theirs === base) return { content: ours, conflict: false };
  const [o, b, t] = [split(ours), split(base), split(theirs)];
  const result = merge(o.lines, b.lines, t.lines, {
    label: { a: "yours", o: "base", b: "template" },
  });
  const eol = result.conflict ? o.eol : (side(o.eol, b.eol, t.eol) ?? t.eol ?? b.eol);
  const lines = crlfOnce(result.result, eol, [o, b, t]);
  const endsInMarker = lines.at(-1)?.startsWith(">>>>>>> ") === true;
  const finalNewline =
    (result.conflict && endsInMarker) || side(o.finalNewline, b.finalNewline, t.finalNewline);
  return {
    content: join({ lines: lastLineUnended(lines, finalNewline, [o, b, t]), eol, finalNewline }),
    conflict: result.conflict,
  };
}

/**
 * A mixed side's last line keeps the CR of its CRLF; in a file without a final newline that CR
 * is half a line ending, so it goes with the LF. Found by upgrade.property.test.ts.
 */
function lastLineUnended(lines: string[], finalNewline: boolean, sides: readonly Lines[]) {
  const last = lines.at(-1);
  if (finalNewline || last === undefined || !last.endsWith("\r")) return lines;
  if (!sides.some((s) => s.eol === "mixed" && s.finalNewline)) return lines;
  return [...lines.slice(0, -1), last.slice(0, -1)];
}

/** A two-way conflict, for when the base is unknown: both versions, marked, nothing dropped. */
export function twoWayConflict(ours: string, theirs: string): string {
  const [o, t] = [split(ours), split(theirs)];
  const lines = ["<<<<<<< yours", ...o.lines, "=======", ...t.lines, ">>>>>>> template"];
  return join({ lines: crlfOnce(lines, o.eol, [o, t]), eol: o.eol, finalNewline: true });
}

/**
 * Lines of a mixed-ending side keep the CR of their CRLF. Written with CRLF endings, that CR
 * would be doubled (`a\r\r\n`); written with LF endings, it would make the file mixed where the
 * project chose LF. Either way the result takes the one ending chosen. Both found by
 * upgrade.property.test.ts.
 */
function crlfOnce(lines: string[], eol: Eol | null, sides: readonly Lines[]): string[] {
  if (eol === null || eol === "mixed" || !sides.some((s) => s.eol === "mixed")) return lines;
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/** A property both sides may have changed: the project's change wins, else the template's. */
function side<T>(ours: T, base: T, theirs: T): T {
  return ours !== base ? ours : theirs;
}

/** CRLF only when every line ends so; a file of mixed endings keeps its CRs inside its lines. */
function split(text: string): Lines {
  const crlf = text.includes("\r\n") && !/(^|[^\r])\n/.test(text);
  const eol: Eol | null = crlf
    ? "\r\n"
    : !text.includes("\n")
      ? null
      : text.includes("\r\n")
        ? "mixed"
        : "\n";
  const body = crlf ? text.replaceAll("\r\n", "\n") : text;
  const finalNewline = body.endsWith("\n");
  const content = finalNewline ? body.slice(0, -1) : body;
  return { lines: body === "" ? [] : content.split("\n"), eol, finalNewline };
}

function join({ lines, eol, finalNewline }: Lines): string {
  if (lines.length === 0) return "";
  const sep = eol === "\r\n" ? eol : "\n";
  return lines.join(sep) + (finalNewline ? sep : "");
}

/** The text with CRLF line endings turned to LF: what a CRLF checkout of an LF file was. */
export function toLf(text: string): string {
  return text.replaceAll("\r\n", "\n");
}
