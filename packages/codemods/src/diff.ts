import { createTwoFilesPatch } from "diff";
import { isBinary } from "./binary.js";
import type { StagedChange } from "./tree.js";

/** A unified diff of staged changes, as `git diff` would print it for review. */
export function unifiedDiff(changes: readonly StagedChange[]): string {
  return changes.map(fileDiff).join("");
}

function fileDiff(c: StagedChange): string {
  const from = c.before === null ? "/dev/null" : `a/${c.path}`;
  const to = c.after === null ? "/dev/null" : `b/${c.path}`;
  // Bytes that are not text have no lines to show; git says the same thing for them.
  if (isBinary(c.path, c.before, c.after)) return `Binary files ${from} and ${to} differ\n`;
  const text = (b: Buffer | null) => b?.toString("utf8") ?? "";
  return createTwoFilesPatch(from, to, text(c.before), text(c.after), undefined, undefined, {
    context: 3,
  });
}
