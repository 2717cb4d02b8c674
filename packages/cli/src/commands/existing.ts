import path from "node:path";
import { addCi, adopt, ciProviders, type ExistingRepoResult } from "@ds-service/generator";
import { type Command, Option } from "commander";
import type { Logger } from "../io.js";

interface ExistingFlags {
  readonly cwd?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly ci?: (typeof ciProviders)[number];
  readonly python?: string;
}

/** What was detected, what each file would become, and the diff of every file that changes. */
export function reportExisting(result: ExistingRepoResult, log: Logger, verb: string): void {
  const { project, commands } = result;
  log.info(
    `Detected: ${project.packageManager}, ${project.layout} layout (${project.codeDirs.join(", ")}), ` +
      `pytest ${project.pytest === false ? "absent" : project.pytest}, ruff ${project.ruff ? "yes" : "no"}, ` +
      `mypy ${project.mypy ? "yes" : "no"}`,
  );
  log.info(`CI Python: ${commands.pythonVersion} (${project.pythonSource})`);
  const own = project.repoPytest;
  if (own !== undefined)
    log.info(
      `CI tests: ${["pytest", own.args].filter(Boolean).join(" ")} (as ${own.source} runs them)`,
    );
  log.info(`CI setup: ${commands.setup}`);
  log.info(`CI check: ${commands.check}`);
  for (const change of result.changes) {
    const mark = { create: "+", update: "~", unchanged: "=" }[change.kind];
    log.info(`  ${mark} ${change.file.path}${change.kind === "unchanged" ? " (unchanged)" : ""}`);
  }
  for (const change of result.changes.filter((c) => c.kind === "update")) log.info(change.diff);
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
): void {
  const options = (flags: ExistingFlags) => ({
    cwd: path.resolve(cwd, flags.cwd ?? "."),
    force: flags.force === true,
    dryRun: flags.dryRun === true,
    ci: flags.ci ?? "github",
    ...(flags.python === undefined ? {} : { python: flags.python }),
  });
  const ciOption = () =>
    new Option("--ci <provider>", "where CI runs (default github)").choices(ciProviders);
  add
    .command("ci")
    .description(
      "copy the CI pack (GitHub Actions, dependabot, SECURITY.md), wired to the repo's commands",
    )
    .option("--cwd <path>", "the repository (default: the current directory)")
    .option("--force", "overwrite existing files that differ (the diff is shown)")
    .option("--dry-run", "show what would be written, change nothing")
    .addOption(ciOption())
    .option("--python <version>", "the Python CI sets up (default: what the repository names)")
    .action(async (flags: ExistingFlags) => {
      reportExisting(await addCi(options(flags)), log, "Added the CI pack");
    });
  program
    .command("adopt")
    .description(
      "bring an existing repo under management: manifest, configs, CI, missing make targets",
    )
    .option("--cwd <path>", "the repository (default: the current directory)")
    .option("--force", "overwrite existing files that differ (the diff is shown)")
    .option("--dry-run", "show what would be written, change nothing")
    .addOption(ciOption())
    .option("--python <version>", "the Python CI sets up (default: what the repository names)")
    .action(async (flags: ExistingFlags) => {
      reportExisting(await adopt(options(flags)), log, "Adopted");
    });
}
