import { createTwoFilesPatch } from "diff";
import { isBinary } from "./binary.js";

/** One file's change as bytes: what it holds now and what it would hold (null: absent). */
export interface FileChange {
  readonly path: string;
  readonly before: Buffer | null;
  readonly after: Buffer | null;
  /** New permission bits (0o755, say), when the change sets them; shown as a `chmod` line. */
  readonly mode?: number;
}

/**
 * The one diff renderer every command prints (`upgrade`, `add ci`, `adopt`, `data refresh` …):
 * a unified diff as `git diff` would show it for review. A created file is diffed from
 * /dev/null, a deleted one to /dev/null; bytes that are not text (see `isBinary`) are never
 * decoded — like git, it says only that they differ.
 */
export function unifiedDiff(changes: readonly FileChange[]): string {
  return changes.map(fileDiff).join("");
}

/** One file's unified diff (empty when neither its bytes nor its mode change). */
export function fileDiff(c: FileChange): string {
  const chmod =
    c.mode === undefined || c.after === null ? "" : `chmod ${c.mode.toString(8)} ${c.path}\n`;
  const same = c.before === null ? c.after === null : c.after !== null && c.before.equals(c.after);
  return same ? chmod : contentDiff(c) + chmod;
}

function contentDiff(c: FileChange): string {
  const from = c.before === null ? "/dev/null" : `a/${c.path}`;
  const to = c.after === null ? "/dev/null" : `b/${c.path}`;
  if (isBinary(c.path, c.before, c.after)) return `Binary files ${from} and ${to} differ\n`;
  const text = (b: Buffer | null) => b?.toString("utf8") ?? "";
  return createTwoFilesPatch(from, to, text(c.before), text(c.after), undefined, undefined, {
    context: 3,
  });
}
