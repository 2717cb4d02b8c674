import { parse } from "smol-toml";
import { type Codemod, CodemodError } from "../../codemod.js";
import { joinTables, type Section, splitTables } from "./sections.js";
import { canonical, releasedTools, sameToml } from "./template-tables.js";

const pyproject = "pyproject.toml";
export const ruffBase = "ruff-base.toml";

/** What template 0.3.0 renders in place of the ruff tables (kept equal to it by a test). */
export const ruffBlock = [
  "[tool.ruff]",
  "# The shared lint and format rules are ruff-base.toml, managed by @ds-service/config-python.",
  '# Settings added here override it for this project (README: "Tool configuration").',
  `extend = "${ruffBase}"`,
];

/** The tools whose only config is now a managed file that the tool finds before pyproject. */
const replacedBy: Readonly<Record<string, string>> = {
  mypy: "mypy.ini",
  pytest: "pytest.ini",
  coverage: ".coveragerc",
};

/**
 * Template 0.3.0 moves the ruff, mypy, pytest and coverage settings out of pyproject.toml into
 * @ds-service/config-python's managed files. Removes the tables that still hold exactly what the
 * template put there; a customised ruff config stays as the project's override and gains
 * `extend`; a customised mypy, pytest or coverage table is refused, because the new managed file
 * would silently win over it. Everything else in pyproject.toml is left byte for byte.
 */
export const moveToolConfig: Codemod = {
  name: "move-tool-config",
  description: "Move the ruff, mypy, pytest and coverage config out of pyproject.toml",
  introducedIn: "0.3.0",
  idempotent: true,
  async transform(tree) {
    const text = await tree.read(pyproject);
    if (text === null) throw new CodemodError(`${pyproject} not found: it holds the tool config`);
    const migrated = migratePyproject(text);
    if (migrated !== text) await tree.write(pyproject, migrated);
  },
};

export function migratePyproject(text: string): string {
  const tool = toolTables(text);
  const customised = Object.keys(replacedBy).filter(
    (name) => tool[name] !== undefined && !isReleased(name, tool[name]),
  );
  if (customised.length > 0) {
    const list = customised.map((n) => `[tool.${n}] (now ${replacedBy[n]})`).join(", ");
    throw new CodemodError(
      `${pyproject} has its own settings in ${list}, which the new managed file would override without a word; move them (README "Tool configuration" says how), delete those tables and upgrade again`,
    );
  }
  const remove = new Set(Object.keys(replacedBy).filter((name) => tool[name] !== undefined));
  const ruff = tool.ruff as Record<string, unknown> | undefined;
  const ruffMode =
    ruff === undefined || ruff.extend !== undefined
      ? "keep"
      : isReleased("ruff", ruff)
        ? "replace"
        : "extend";
  if (remove.size === 0 && ruffMode === "keep") return text;

  const layout = splitTables(text);
  const sections: Section[] = [];
  let pendingLeading: string[] = [];
  let ruffDone = false;
  for (const section of layout.sections) {
    const group = groupOf(section.name);
    if (group !== undefined && remove.has(group)) {
      // A comment above a removed table may be the user's: keep it, drop only the blank lines.
      pendingLeading.push(...section.leading.filter((l) => l.trim() !== ""));
      continue;
    }
    const leading = [...pendingLeading, ...section.leading];
    pendingLeading = [];
    if (group === "ruff" && ruffMode === "replace") {
      if (!ruffDone) sections.push({ name: "tool.ruff", leading, body: [...ruffBlock] });
      else if (leading.some((l) => l.trim() !== "")) sections.push({ ...section, body: [] });
      ruffDone = true;
      continue;
    }
    if (group === "ruff" && ruffMode === "extend" && !ruffDone) {
      ruffDone = true;
      if (section.name === "tool.ruff") {
        const [header, ...rest] = section.body;
        sections.push({
          ...section,
          leading,
          body: [header ?? "", ...ruffBlock.slice(1), ...rest],
        });
      } else {
        sections.push({ name: "tool.ruff", leading, body: [...ruffBlock] });
        sections.push({ ...section, leading: [""] });
      }
      continue;
    }
    sections.push({ ...section, leading });
  }
  const epilogue = [...pendingLeading, ...layout.epilogue];
  const migrated = joinTables({ sections, epilogue });
  assertOnlyToolTablesChanged(text, migrated, remove, ruffMode);
  return migrated;
}

function toolTables(text: string): Record<string, unknown> {
  try {
    return (parse(text).tool as Record<string, unknown> | undefined) ?? {};
  } catch (error) {
    throw new CodemodError(`${pyproject} is not valid TOML: ${(error as Error).message}`);
  }
}

function isReleased(name: string, value: unknown): boolean {
  return (releasedTools[name] ?? []).some((released) => sameToml(value, released));
}

function groupOf(table: string): string | undefined {
  const match = /^tool\.(ruff|mypy|pytest|coverage)(\.|$)/.exec(table);
  return match?.[1];
}

/**
 * The cut is done on lines, so it is checked on values: the result must parse to the input minus
 * the removed tables, plus `extend`. Anything else (a table written with dotted keys under
 * `[tool]`, say) is refused rather than half-migrated.
 */
function assertOnlyToolTablesChanged(
  before: string,
  after: string,
  removed: ReadonlySet<string>,
  ruffMode: string,
): void {
  const expected = parse(before) as Record<string, unknown>;
  const tool = (expected.tool ?? {}) as Record<string, unknown>;
  for (const name of removed) delete tool[name];
  if (ruffMode === "replace") tool.ruff = { extend: ruffBase };
  if (ruffMode === "extend") tool.ruff = { ...(tool.ruff as object), extend: ruffBase };
  if (Object.keys(tool).length === 0) delete expected.tool;
  let actual: Record<string, unknown> | undefined;
  try {
    actual = parse(after) as Record<string, unknown>;
    if (Object.keys(actual.tool ?? {}).length === 0) delete actual.tool;
  } catch {
    actual = undefined;
  }
  if (actual === undefined || canonical(actual) !== canonical(expected)) {
    throw new CodemodError(
      `${pyproject} lays out its tool tables in a way this codemod cannot edit safely; move the [tool.ruff/mypy/pytest/coverage] settings by hand (README "Tool configuration")`,
    );
  }
}
