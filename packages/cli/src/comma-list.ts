/**
 * A comma-separated flag value as a list: `--exclude "a, b,,c"` → ["a", "b", "c"]. Every list
 * flag (`--exclude`, `--protected`, `--unseen-other`, `--categories`) reads the same way.
 */
export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}
