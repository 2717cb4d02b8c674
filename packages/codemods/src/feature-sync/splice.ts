/**
 * The text edits a structural sync makes, located by a parser and applied to the source as it
 * is: every byte outside an edit stays, so a file's formatting and comments are never touched.
 */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A member of a container (a class field, a dict entry, a mapping pair), by its span. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * `source` with `edits` applied; null when two of them overlap (no safe order exists). Edits
 * at one point land in the order given.
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): string | null {
  const sorted = edits
    .map((edit, order) => ({ ...edit, order }))
    .sort((a, b) => b.start - a.start || b.order - a.order);
  if (sorted.some((edit, i) => i > 0 && edit.end > (sorted[i - 1]?.start ?? 0))) return null;
  let out = source;
  for (const edit of sorted) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return out;
}

const lineStart = (source: string, at: number) => source.lastIndexOf("\n", at - 1) + 1;

function lineEnd(source: string, at: number): number {
  const end = source.indexOf("\n", at);
  return end === -1 ? source.length : end;
}

/**
 * Whether `span` (with what `trailing` allows after it on its last line: a comma, a comment)
 * has its lines to itself, so it can be inserted after or removed as whole lines.
 */
export function ownsItsLines(source: string, span: Span, trailing: RegExp): boolean {
  const before = source.slice(lineStart(source, span.start), span.start);
  const after = source.slice(span.end, lineEnd(source, span.end));
  return before.trim() === "" && trailing.test(after);
}

/** Inserts `text` as lines of their own after the lines of `anchor`, at the anchor's indent. */
export function insertLinesAfter(source: string, anchor: Span, text: string): TextEdit {
  const at = lineEnd(source, anchor.end);
  const indent = source.slice(lineStart(source, anchor.start), anchor.start);
  return { start: at, end: at, text: `\n${indent}${text}` };
}

/** Removes the whole lines `member` spans (its line break included). */
export function removeLines(source: string, member: Span): TextEdit {
  const start = lineStart(source, member.start);
  const end = lineEnd(source, member.end);
  return { start, end: Math.min(end + 1, source.length), text: "" };
}
