import {
  ciProviders,
  type ErrorReport,
  errorReport,
  FindingsError,
  generatorVersion,
  taskChoices,
} from "@ds-service/generator";
import { Command, CommanderError, Option } from "commander";
import { registerFeatureCommands } from "./commands/add-feature-command.js";
import { registerExistingCommands } from "./commands/existing.js";
import { newProject } from "./commands/new.js";
import { type NewFlags, resolveNewOptions } from "./commands/resolve-new-options.js";
import { type Exec, execaExec } from "./exec.js";
import { createLogger, type Io, isInteractive, processIo, reportedAsJson } from "./io.js";
import { withLiveSteps } from "./progress.js";
import { inquirerPrompter, type Prompter } from "./prompts.js";

export interface RunDeps {
  readonly io?: Io;
  readonly exec?: Exec;
  /** Replaces @inquirer/prompts; used only when the session is interactive. */
  readonly prompter?: Prompter;
  /** Aborting cancels a generation or an upgrade in progress (the bin wires SIGINT, SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Runs `ds-service <argv>` and returns the exit code (`exitCodes`: 0 ok, 1 findings, 2 usage or
 * validation, 3 a tool failed, 70 internal, 130 cancelled). Errors are handled here, once; nothing
 * below exits the process.
 */
export async function run(argv: readonly string[], deps: RunDeps = {}): Promise<number> {
  const io = deps.io ?? processIo();
  const log = createLogger(io);
  const program = buildProgram(io, deps);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return exitCodeFor(error, log, io, argv.includes("--json"));
  }
}

// Upgrades load codemods and a native Python parser: only the commands that need them pay for
// that at start-up, so `new` stays fast.
const upgradeCommands = () => import("./commands/upgrade.js");
const fleetCommands = () => import("./commands/fleet.js");
const dataCommands = () => import("./commands/data-refresh.js");

function buildProgram(io: Io, deps: RunDeps): Command {
  const log = createLogger(io);
  // The upgrade library runs git through this exec; its messages never enter a --json document.
  const upgradeDeps = (flags: { json?: boolean }) => ({
    exec: deps.exec ?? execaExec,
    log: flags.json ? createLogger({ ...io, stdout: io.stderr }) : log,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const program = new Command("ds-service")
    .description("Scaffold and keep current production-ready Python model services.")
    .version(generatorVersion)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });

  program
    .command("new")
    .description("create a model service in <dir> (which must be new or empty)")
    .argument("[dir]", "target directory; the project name defaults to its basename")
    .option("--name <name>", "project name (npm, PyPI, Python and Kubernetes safe)")
    .addOption(new Option("--task <task>", "what the model predicts").choices(taskChoices))
    .option(
      "--data <file>",
      "fit the project to this CSV or Parquet file (profiled once, never copied)",
    )
    .option("--target <column>", "with --data: the column to predict")
    .option("--id <column>", "with --data: a unique row id, kept out of the features and logged")
    .option("--time <column>", "with --data: orders the split and the backtest")
    .option("--protected <columns>", "with --data: comma-separated protected attributes (fairness)")
    .option("--exclude <columns>", "with --data: comma-separated columns that are not features")
    .option(
      "--unseen-other <columns>",
      'with --data: comma-separated categorical features that score an unseen category as "other" (default: refuse it)',
    )
    .addOption(new Option("--ci <provider>", "where CI runs (default github)").choices(ciProviders))
    .option("--answers <file>", "read answers from a JSON file (flags win)")
    .option("-y, --yes", "never prompt: defaults for anything not given")
    .option("--no-install", "skip `uv lock` and `uv sync`")
    .option("--no-git", "skip `git init` and the first commit")
    .option("--cwd <path>", "resolve paths from here instead of the current directory")
    .option(
      "--dry-run",
      "list the files it would create and the steps it would run; create nothing",
    )
    .option("--json", "machine-readable output (progress goes to stderr)")
    .action(async (dir: string | undefined, flags: NewFlags) => {
      // Prompts would write into the JSON document: --json never prompts.
      const prompter =
        !flags.yes && !flags.json && isInteractive(io)
          ? (deps.prompter ?? inquirerPrompter())
          : undefined;
      const exec = deps.exec ?? execaExec;
      const options = await resolveNewOptions(dir, flags, io.cwd, prompter, exec);
      // Progress goes to stdout, or to stderr under --json (stdout is the document); on a
      // terminal each long step is shown live.
      const progressStream = flags.json ? io.stderr : io.stdout;
      const progressLog = flags.json ? createLogger({ ...io, stdout: io.stderr }) : log;
      await newProject(options, {
        exec: deps.exec ?? execaExec,
        log,
        progress: await withLiveSteps(progressLog, progressStream, io.env),
        cwd: io.cwd,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(io.env.npm_config_user_agent ? { userAgent: io.env.npm_config_user_agent } : {}),
      });
    });
  program
    .command("upgrade")
    .description("carry the project to this ds-service's template: codemods + 3-way merge")
    .option("--cwd <path>", "the project (default: the current directory)")
    .option("--dry-run", "print the full diff and write nothing")
    .option("--allow-dirty", "upgrade even with uncommitted changes")
    .option("--json", "machine-readable output")
    .action(async (flags) =>
      (await upgradeCommands()).upgradeCommand(flags, io.cwd, log, upgradeDeps(flags)),
    );

  program
    .command("check")
    .description("for CI: fail when managed files drifted or a newer template exists")
    .option("--cwd <path>", "the project (default: the current directory)")
    .option("--json", "machine-readable output")
    .action(async (flags) =>
      (await upgradeCommands()).checkCommand(flags, io.cwd, log, upgradeDeps(flags)),
    );

  const fleet = program.command("fleet").description("upgrade and report on many repositories");
  fleet
    .command("upgrade")
    .description("upgrade each repository on a new branch with one commit")
    .argument("[paths...]", "repositories")
    .option("--from-file <file>", "one repository path per line")
    .option("--concurrency <n>", "repositories upgraded at once", "4")
    .option("--cwd <path>", "resolve paths from here")
    .option("--dry-run", "plan every repository and print what would change; write nothing")
    .option("--json", "machine-readable output")
    .action(async (paths: string[], flags) =>
      (await fleetCommands()).fleetUpgradeCommand(paths, flags, io.cwd, log, upgradeDeps(flags)),
    );
  fleet
    .command("report")
    .description("each repository's template version and drifted managed files")
    .argument("[paths...]", "repositories")
    .option("--from-file <file>", "one repository path per line")
    .option("--html <file>", "write a self-contained HTML page")
    .option("--cwd <path>", "resolve paths from here")
    .option("--json", "machine-readable output")
    .action(async (paths: string[], flags) =>
      (await fleetCommands()).fleetReportCommand(paths, flags, io.cwd, log, upgradeDeps(flags)),
    );
  program
    .command("data")
    .description("the data a --data project trains on")
    .command("refresh")
    .description("re-profile new data, show the schema changes, re-render the project from it")
    .requiredOption("--data <file>", "the new CSV or Parquet file")
    .option(
      "--unseen-other <columns>",
      'exactly these categorical features score an unseen category as "other" ("" for none); default: keep each one\'s choice',
    )
    .option("--cwd <path>", "the project (default: the current directory)")
    .option("--dry-run", "print the schema changes and the full diff, write nothing")
    .option("--allow-dirty", "refresh even with uncommitted changes")
    .option("--no-tune", "skip `make tune` after the refresh (confs/tuned.yaml stays as it was)")
    .option("--json", "machine-readable output")
    .action(async (flags) =>
      (await dataCommands()).dataRefreshCommand(flags, io.cwd, log, upgradeDeps(flags)),
    );
  const add = program.command("add").description("add a pack or a piece to a repository");
  registerExistingCommands(program, add, io.cwd, log, deps.signal);
  const remove = program.command("remove").description("remove a piece from a project");
  registerFeatureCommands(add, remove, io, log, upgradeDeps);
  return program;
}

/**
 * The one place an error becomes output and an exit code (see `exitCodes`). With `--json` the
 * error is also a JSON document on stdout, so a script reading stdout never gets plain text.
 */
function exitCodeFor(
  error: unknown,
  log: ReturnType<typeof createLogger>,
  io: Io,
  json: boolean,
): number {
  if (error instanceof CommanderError) {
    // Help and version are successes; anything else commander rejects is a usage error
    // (commander has already printed what was wrong).
    const ok = ["commander.helpDisplayed", "commander.version", "commander.help"];
    const code = ok.includes(error.code) ? 0 : 2;
    if (json && code !== 0) {
      writeJsonError(io, { kind: "UsageError", message: error.message, exitCode: code });
    }
    return code;
  }
  const report = errorReport(error);
  log.error(report.message);
  // Findings (and an error a command put in its result) come after the command printed its own
  // JSON result: one document on stdout.
  if (json && !(error instanceof FindingsError) && !reportedAsJson.has(error as Error)) {
    writeJsonError(io, report);
  }
  return report.exitCode;
}

function writeJsonError(io: Io, report: ErrorReport): void {
  io.stdout.write(`${JSON.stringify({ error: report }, null, 2)}\n`);
}
