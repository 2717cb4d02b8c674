import type { LintTool, ProjectLayout, TypeChecker } from "./detect.js";
import { normalizeName } from "./requirement.js";

/** What CI runs in a repository: each command exists there (or is installed by `setup`). */
export interface CiCommands {
  readonly uv: boolean;
  readonly pythonVersion: string;
  readonly setup: string;
  /** Lint, typecheck and test: the tools the repository declares, joined with `&&`. */
  readonly check: string;
}

/**
 * The poetry that CI installs in a poetry repository, pinned as the pack pins its actions and
 * images. Poetry 2 reads poetry 1.x lock files, PEP 621 projects and PEP 735 dependency
 * groups; it needs Python 3.10 or later.
 */
export const poetryVersion = "2.5.1";

/**
 * The newest poetry that installs on CI's Python: 2.5.1 needs 3.10, 2.2.1 is the last for 3.9,
 * 1.8.5 the last for 3.8. A pin CI's Python cannot install fails the setup before anything runs.
 */
export function poetryFor(pythonVersion: string): string {
  const minor = Number(pythonVersion.split(".")[1] ?? "11");
  return minor >= 10 ? poetryVersion : minor === 9 ? "2.2.1" : "1.8.5";
}

/**
 * The oldest pip with `pip install --group` (PEP 735 dependency groups). The runner's Python may
 * bring an older one (3.11's ensurepip has 24.0), which rejects the flag. A minimum, not a pin:
 * pip picks the newest release that still runs on the project's Python.
 */
export const pipGroupsVersion = "25.1";

/** Groups and extras that hold the dev tools, by PEP 503 name (`Dev`, `test`, `lint` …). */
const isDevName = (name: string) => /^(dev|test|tests|testing|lint)$/.test(normalizeName(name));

const quote = (arg: string) =>
  /^[\w./@=:+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;

/** Each tool's arguments in check mode: it reports, never rewrites (`dirs`: the code directories). */
const checkArgs: Record<LintTool | TypeChecker, (dirs: string) => string> = {
  ruff: (dirs) => `check ${dirs}`,
  black: (dirs) => `--check ${dirs}`,
  isort: (dirs) => `--check-only ${dirs}`,
  flake8: (dirs) => dirs,
  // The repo's own hooks, as its contributors run them; a hook that changes a file fails.
  "pre-commit": () => "run --all-files --show-diff-on-failure",
  mypy: (dirs) => dirs,
  ty: (dirs) => `check ${dirs}`,
};

/** `python -m` needs the module's name where it differs from the distribution's. */
const moduleOf: Partial<Record<LintTool | TypeChecker, string>> = { "pre-commit": "pre_commit" };

/** The per-tool commands, without the Makefile: `adopt` turns these into make targets. */
export function toolCommands(project: ProjectLayout): {
  setup: string;
  lint?: string;
  typecheck?: string;
  test?: string;
} {
  const run =
    project.packageManager === "uv"
      ? "uv run "
      : project.packageManager === "poetry"
        ? "poetry run "
        : "python -m ";
  const dirs = project.codeDirs.map(quote).join(" ");
  const needsPytest = project.pytest === "tests-only";
  // Optional-dependency groups that hold the dev tools (`pip install .[dev]`, `poetry -E dev`).
  const devExtras = project.extras.filter(isDevName);

  let setup: string;
  if (project.packageManager === "uv") {
    setup = project.locked ? "uv sync --locked" : "uv sync";
  } else if (project.packageManager === "poetry") {
    // No extras unless asked: `poetry install` alone leaves a `dev` extra's pytest out.
    const extras = devExtras.flatMap((e) => ["--extras", quote(e)]);
    setup = [
      `python -m pip install --quiet poetry==${poetryFor(project.pythonVersion)} &&`,
      "poetry install --no-interaction",
      ...extras,
    ].join(" ");
    if (needsPytest) setup += " && poetry run python -m pip install pytest";
  } else {
    const args = project.requirements.flatMap((r) => ["-r", quote(r)]);
    // Installing `.` beside a requirements file's own `-e .` is pip's ResolutionImpossible.
    if (project.installable && !project.installedByRequirements) {
      args.push(devExtras.length > 0 ? quote(`.[${devExtras.join(",")}]`) : ".");
    }
    // PEP 735 groups are no part of the package: `pip install .` leaves them out.
    const devGroups = project.groups.filter(isDevName);
    args.push(...devGroups.flatMap((g) => ["--group", quote(g)]));
    if (needsPytest) args.push("pytest");
    setup = args.length > 0 ? `python -m pip install ${args.join(" ")}` : "python -m pip --version";
    if (devGroups.length > 0) {
      setup = `python -m pip install --quiet ${quote(`pip>=${pipGroupsVersion}`)} && ${setup}`;
    }
  }

  // The arguments the repo's own CI gives pytest: plain pytest may follow testpaths into suites
  // that need options or data.
  const args = project.repoPytest?.args ? ` ${project.repoPytest.args}` : "";
  const pytest =
    project.packageManager === "uv" && needsPytest
      ? `uv run --with pytest pytest${args}`
      : `${run}pytest${args}`;
  const inCheckMode = (tools: readonly (LintTool | TypeChecker)[]) =>
    tools.length === 0
      ? undefined
      : tools
          .map((tool) => {
            // Each tool's command is its distribution's name, its module's under `python -m`.
            const command = run === "python -m " ? (moduleOf[tool] ?? tool) : tool;
            return `${run}${command} ${checkArgs[tool](dirs)}`;
          })
          .join(" && ");
  const lint = inCheckMode(project.linters);
  const typecheck = inCheckMode(project.typeCheckers);
  return {
    setup,
    ...(lint ? { lint } : {}),
    ...(typecheck ? { typecheck } : {}),
    ...(project.pytest ? { test: pytest } : {}),
  };
}

/**
 * Wires CI to what the repository already has: its own `make setup` (or a `make requirements` /
 * `make install` that installs) and `make check` when the Makefile has them, else the declared
 * tools through its package manager. With no linter and
 * no tests there is still one real check: every module must byte-compile.
 */
export function ciCommands(project: ProjectLayout): CiCommands {
  const tools = toolCommands(project);
  const has = (t: string) => project.makeTargets.includes(t);
  const setup = has("setup")
    ? "make setup"
    : project.installTarget
      ? `make ${project.installTarget}`
      : tools.setup;
  let check: string;
  if (has("check")) check = "make check";
  else {
    const parts = [
      has("lint") ? "make lint" : tools.lint,
      has("typecheck") ? "make typecheck" : tools.typecheck,
      has("test") ? "make test" : tools.test,
    ].filter((c): c is string => c !== undefined);
    check =
      parts.length > 0
        ? parts.join(" && ")
        : `python -m compileall -q ${project.codeDirs.map(quote).join(" ")}`;
  }
  return {
    uv: project.packageManager === "uv",
    pythonVersion: project.pythonVersion,
    setup,
    check,
  };
}
