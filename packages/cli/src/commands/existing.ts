import path from "node:path";
import {
  addCi,
  adopt,
  type ChangeKind,
  ciProviders,
  describeLosses,
  type ExistingRepoResult,
  ValidationError,
} from "@ds-service/generator";
import { type Command, Option } from "commander";
import { readAnswersFile } from "../answers-file.js";
import type { Logger } from "../io.js";

interface ExistingFlags {
  readonly cwd?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly ci?: (typeof ciProviders)[number];
  readonly python?: string;
  readonly setup?: string;
  readonly check?: string;
  readonly answers?: string;
  readonly beside?: boolean;
  readonly json?: boolean;
}

/** What an answers file may choose for `add ci` / `adopt`: the same choices as the flags. */
const choiceKeys = ["ci", "python", "setup", "check"] as const;

/** The answers file's choices under the flags (flags win); unknown keys and non-strings refused. */
async function withAnswersFile(flags: ExistingFlags, base: string): Promise<ExistingFlags> {
  if (flags.answers === undefined) return flags;
  const file = path.resolve(base, flags.answers);
  const fromFile = await readAnswersFile(file);
  for (const [key, value] of Object.entries(fromFile)) {
    if (!(choiceKeys as readonly string[]).includes(key))
      throw new ValidationError(
        `--answers ${file}: unknown key ${JSON.stringify(key)} (add ci and adopt take ${choiceKeys.join(", ")})`,
      );
    if (typeof value !== "string")
      throw new ValidationError(`--answers ${file}: ${key} must be a string`);
    if (key === "ci" && !(ciProviders as readonly string[]).includes(value))
      throw new ValidationError(`--answers ${file}: ci must be one of ${ciProviders.join(", ")}`);
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return { ...(fromFile as ExistingFlags), ...defined };
}

/**
 * `add ci --json` / `adopt --json`: the result as one document, in `upgrade --json`'s
 * conventions (`dryRun`, `changed`, the full unified `diff`). Every key is always present, in
 * this order; `findings` are what replacing a CI file drops (as the text output warns).
 */
function existingJson(result: ExistingRepoResult, command: "add ci" | "adopt") {
  const paths = (...kinds: ChangeKind[]) =>
    result.changes.filter((c) => kinds.includes(c.kind)).map((c) => c.file.path);
  return {
    command,
    dryRun: !result.written,
    written: result.written,
    changed: paths("create", "update"),
    created: paths("create"),
    updated: paths("update"),
    unchanged: paths("unchanged"),
    project: { ...result.project, repoPytest: result.project.repoPytest ?? null },
    commands: result.commands,
    findings: result.changes.flatMap((c) =>
      (c.losses ?? []).map((loss) => ({ path: c.file.path, kind: "ci-loss", message: loss })),
    ),
    diff: result.changes.map((c) => c.diff).join(""),
  };
}

/**
 * What was detected, what each file would become, and the diff of every file that changes (a
 * dry run also shows each file it would create in full).
 */
export function reportExisting(
  result: ExistingRepoResult,
  log: Logger,
  verb: string,
  overridden?: { readonly setup?: string; readonly check?: string },
): void {
  const { project, commands } = result;
  const tools = [...project.linters, ...project.typeCheckers];
  log.info(
    `Detected: ${project.packageManager}, ${project.layout} layout (${project.codeDirs.join(", ")}), ` +
      `pytest ${project.pytest === false ? "absent" : project.pytest}, ` +
      `checks ${tools.length > 0 ? tools.join(", ") : "none declared"}`,
  );
  log.info(`CI Python: ${commands.pythonVersion} (${project.pythonSource})`);
  const own = project.repoPytest;
  if (own !== undefined)
    log.info(
      `CI tests: ${["pytest", own.args].filter(Boolean).join(" ")} (${own.source.startsWith("README") ? `as ${own.source} tells people to run them` : `as ${own.source} runs them`})`,
    );
  log.info(`CI setup: ${commands.setup}${overridden?.setup ? " (--setup)" : ""}`);
  log.info(`CI check: ${commands.check}${overridden?.check ? " (--check)" : ""}`);
  for (const change of result.changes) {
    const mark = { create: "+", update: "~", unchanged: "=" }[change.kind];
    log.info(`  ${mark} ${change.file.path}${change.kind === "unchanged" ? " (unchanged)" : ""}`);
  }
  const shown = result.written ? ["update"] : ["create", "update"];
  for (const change of result.changes.filter((c) => shown.includes(c.kind))) {
    log.info(change.diff);
    for (const line of describeLosses(change)) log.warn(line);
  }
  const changed = result.changes.filter((c) => c.kind !== "unchanged").length;
  log.info(
    result.written
      ? `${verb}: ${changed} file(s) written.`
      : `Dry run: ${changed} file(s) would be written; nothing was changed.`,
  );
}

/** `ds-service add ci` and `ds-service adopt`, for repositories ds-service did not generate. */
export function registerExistingCommands(
  program: Command,
  /** The shared `add` command: `add ci` lives here, `add feature` beside it. */
  add: Command,
  cwd: string,
  log: Logger,
  signal?: AbortSignal,
): void {
  const options = (flags: ExistingFlags) => ({
    ...(signal ? { signal } : {}),
    cwd: path.resolve(cwd, flags.cwd ?? "."),
    force: flags.force === true,
    dryRun: flags.dryRun === true,
    ci: flags.ci ?? "github",
    ...(flags.python === undefined ? {} : { python: flags.python }),
    ...(flags.setup === undefined ? {} : { setup: flags.setup }),
    ...(flags.check === undefined ? {} : { check: flags.check }),
    ...(flags.beside ? { beside: true } : {}),
  });
  // The choices every detected value can be overridden with, on both commands.
  const choices = (command: Command) =>
    command
      .option("--python <version>", "the Python CI sets up (default: what the repository names)")
      .option("--setup <command>", "CI's install command (default: detected, printed)")
      .option("--check <command>", "CI's lint, typecheck and test command (default: detected)")
      .option(
        "--answers <file>",
        "read these choices (ci, python, setup, check) from JSON; flags win",
      )
      .option(
        "--beside",
        "keep the repo's own CI: add the pack's workflows (GitHub) or jobs (GitLab) under ds-service-* names",
      );
  const ciOption = () =>
    new Option("--ci <provider>", "where CI runs (default github)").choices(ciProviders);
  const addCiCommand = add
    .command("ci")
    .description(
      "copy the CI pack (GitHub Actions, dependabot, SECURITY.md), wired to the repo's commands",
    )
    .option("--cwd <path>", "the repository (default: the current directory)")
    .option("--force", "overwrite existing files that differ (the diff is shown)")
    .option("--dry-run", "show what would be written, change nothing")
    .option("--json", "machine-readable output")
    .addOption(ciOption());
  choices(addCiCommand).action(async (given: ExistingFlags) => {
    const flags = await withAnswersFile(given, cwd);
    const result = await addCi(options(flags));
    if (flags.json) log.info(JSON.stringify(existingJson(result, "add ci"), null, 2));
    else reportExisting(result, log, "Added the CI pack", flags);
  });
  const adoptCommand = program
    .command("adopt")
    .description(
      "bring an existing repo under management: manifest, configs, CI, missing make targets",
    )
    .option("--cwd <path>", "the repository (default: the current directory)")
    .option("--force", "overwrite existing files that differ (the diff is shown)")
    .option("--dry-run", "show what would be written, change nothing")
    .option("--json", "machine-readable output")
    .addOption(ciOption());
  choices(adoptCommand).action(async (given: ExistingFlags) => {
    const flags = await withAnswersFile(given, cwd);
    const result = await adopt(options(flags));
    if (flags.json) log.info(JSON.stringify(existingJson(result, "adopt"), null, 2));
    else reportExisting(result, log, "Adopted", flags);
  });
}
