import { createTwoFilesPatch } from "diff";

/** A unified diff of staged changes, as `git diff` would print it for review. */
export function unifiedDiff(
  changes: readonly { path: string; before: string | null; after: string | null }[],
): string {
  return changes
    .map((c) =>
      createTwoFilesPatch(
        c.before === null ? "/dev/null" : `a/${c.path}`,
        c.after === null ? "/dev/null" : `b/${c.path}`,
        c.before ?? "",
        c.after ?? "",
        undefined,
        undefined,
        { context: 3 },
      ),
    )
    .join("");
}
