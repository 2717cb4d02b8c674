import { merge } from "node-diff3";

export interface MergeResult {
  readonly content: string;
  readonly conflict: boolean;
}

/**
 * Line-based 3-way merge of `ours` (the project's file) and `theirs` (the new template render)
 * against `base` (the pristine render the project started from). Conflicts come out as standard
 * git conflict markers, so editors and `git diff` show them as they show any merge conflict.
 */
export function threeWayMerge(ours: string, base: string, theirs: string): MergeResult {
  if (ours === theirs) return { content: ours, conflict: false };
  if (ours === base) return { content: theirs, conflict: false };
  if (theirs === base) return { content: ours, conflict: false };
  const result = merge(lines(ours), lines(base), lines(theirs), {
    label: { a: "yours", o: "base", b: "template" },
  });
  return { content: result.result.join("\n"), conflict: result.conflict };
}

/** Lines without terminators; a final newline shows up as a last empty line in all three. */
function lines(text: string): string[] {
  return text.split("\n");
}

/** A two-way conflict, for when the base is unknown: both versions, marked, nothing dropped. */
export function twoWayConflict(ours: string, theirs: string): string {
  const nl = (s: string) => (s.endsWith("\n") || s === "" ? s : `${s}\n`);
  return `<<<<<<< yours\n${nl(ours)}=======\n${nl(theirs)}>>>>>>> template\n`;
}
