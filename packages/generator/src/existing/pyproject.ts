import { parse, TomlError } from "smol-toml";
import * as z from "zod";
import { ValidationError } from "../errors.js";
import { poetryPythonSpecifier } from "./poetry-python.js";
import { normalizeName, requirementName } from "./requirement.js";

/** What detection reads from a pyproject.toml, taken from the parsed document. */
export interface Pyproject {
  /** Any `[tool.uv…]` table, `[tool.uv.sources]` alone included. */
  readonly uv: boolean;
  /** Any `[tool.poetry…]` table, or the poetry-core build backend. */
  readonly poetry: boolean;
  /** `[tool.pytest.ini_options]`: the project has tests. */
  readonly pytestConfig: boolean;
  /** A PEP 621 project or a build system: `pip install .` installs it. */
  readonly installable: boolean;
  /** The Python bound as PEP 440: `requires-python`, else Poetry's `python` dependency. */
  readonly requiresPython: string | undefined;
  /** Where that bound was read, as written there: printed with the Python CI chose. */
  readonly requiresPythonFrom: string | undefined;
  /** `[project.optional-dependencies]` keys. */
  readonly extras: readonly string[];
  /** PEP 735 `[dependency-groups]` keys. */
  readonly groups: readonly string[];
  /** Normalized names (PEP 503) of every requirement it lists, in any list. */
  readonly requirementNames: ReadonlySet<string>;
}

const requirements = z.array(z.string());
/** Poetry's dependency tables: name = "^1.0" | { version = … } | [ … ]. */
const poetryTable = z.record(z.string(), z.unknown());

// Only the parts that are read; the types the PEPs give them, so that a wrong one is reported
// rather than half-read. Unknown keys are left alone.
const schema = z.object({
  project: z
    .object({
      "requires-python": z.string().optional(),
      dependencies: requirements.optional(),
      "optional-dependencies": z.record(z.string(), requirements).optional(),
    })
    .optional(),
  "dependency-groups": z
    .record(z.string(), z.array(z.union([z.string(), z.object({ "include-group": z.string() })])))
    .optional(),
  "build-system": z.object({ "build-backend": z.string().optional() }).optional(),
  tool: z
    .object({
      uv: z.unknown().optional(),
      pytest: z.unknown().optional(),
      poetry: z
        .object({
          dependencies: poetryTable.optional(),
          "dev-dependencies": poetryTable.optional(),
          group: z
            .record(z.string(), z.object({ dependencies: poetryTable.optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

function parseToml(text: string, file: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new ValidationError(`${file} is not valid TOML: ${error.message.trimEnd()}`);
    }
    throw error;
  }
}

/** Parses a pyproject.toml; one that is not TOML, or has a wrong type where read, is refused. */
export function readPyproject(text: string, file: string): Pyproject {
  const parsed = schema.safeParse(parseToml(text, file));
  if (!parsed.success) {
    throw new ValidationError(
      `${file} is not a valid pyproject.toml:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const doc = parsed.data;
  const project = doc.project;
  const groups = doc["dependency-groups"] ?? {};
  const poetry = doc.tool?.poetry;
  const specs = [
    ...(project?.dependencies ?? []),
    ...Object.values(project?.["optional-dependencies"] ?? {}).flat(),
    // `{ include-group = "…" }` names a group, whose own entries are read where it is defined.
    ...Object.values(groups)
      .flat()
      .filter((entry): entry is string => typeof entry === "string"),
  ];
  const poetryNames = [
    poetry?.dependencies,
    poetry?.["dev-dependencies"],
    ...Object.values(poetry?.group ?? {}).map((g) => g.dependencies),
  ].flatMap((table) => Object.keys(table ?? {}));
  const names = [
    ...specs.map(requirementName).filter((n): n is string => n !== undefined),
    ...poetryNames.map(normalizeName),
  ];
  const requiresPython = project?.["requires-python"];
  const poetryPython = poetry?.dependencies?.python;
  const fromPoetry =
    requiresPython === undefined && typeof poetryPython === "string"
      ? poetryPythonSpecifier(poetryPython)
      : undefined;
  return {
    uv: doc.tool?.uv !== undefined,
    poetry:
      poetry !== undefined || doc["build-system"]?.["build-backend"] === "poetry.core.masonry.api",
    pytestConfig: doc.tool?.pytest !== undefined,
    installable: project !== undefined || doc["build-system"] !== undefined,
    requiresPython: requiresPython ?? fromPoetry,
    requiresPythonFrom:
      requiresPython !== undefined
        ? `requires-python "${requiresPython.trim()}"`
        : fromPoetry !== undefined
          ? `[tool.poetry.dependencies] python "${String(poetryPython).trim()}"`
          : undefined,
    extras: Object.keys(project?.["optional-dependencies"] ?? {}),
    groups: Object.keys(groups),
    requirementNames: new Set(names),
  };
}
