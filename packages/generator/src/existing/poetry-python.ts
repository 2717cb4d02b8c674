import { validRange } from "@renovatebot/pep440";

/**
 * Poetry's `python = "…"` constraint as a PEP 440 specifier, for projects whose Python bound lives
 * in `[tool.poetry.dependencies]` instead of `requires-python` (Poetry before 2.0). Caret and
 * tilde ranges are rewritten as Poetry defines them; `*`, an `||` union or anything else PEP 440
 * cannot say is undefined, so the caller falls back to what else the repository names.
 */
export function poetryPythonSpecifier(constraint: string): string | undefined {
  const parts = constraint
    .trim()
    .split(/\s*,\s*|\s+(?=[<>=!~^])/)
    .filter((part) => part !== "");
  if (parts.length === 0 || constraint.includes("||")) return undefined;
  const rewritten: string[] = [];
  for (const part of parts) {
    const clause = rewrite(part);
    if (clause === undefined) return undefined;
    rewritten.push(clause);
  }
  const specifier = rewritten.join(",");
  return validRange(specifier) ? specifier : undefined;
}

function rewrite(part: string): string | undefined {
  const ranged = part.match(/^([\^~])\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/);
  if (ranged === null) {
    if (part === "*") return undefined;
    // A bare version is an exact pin in Poetry, as `==` is in PEP 440.
    return /^\d/.test(part) ? `==${part}` : part;
  }
  const [, op, majorText, minorText, patchText] = ranged;
  const major = Number(majorText);
  const minor = minorText === undefined ? undefined : Number(minorText);
  const lower = [majorText, minorText ?? "0", patchText].filter((v) => v !== undefined).join(".");
  if (op === "^") {
    // ^3.10 allows everything below the next major; ^0.y below the next minor.
    const upper = major > 0 || minor === undefined ? `${major + 1}.0` : `0.${minor + 1}`;
    return `>=${lower},<${upper}`;
  }
  // ~3.10 allows patches of 3.10; ~3 allows minors of 3.
  const upper = minor === undefined ? `${major + 1}.0` : `${major}.${minor + 1}`;
  return `>=${lower},<${upper}`;
}
