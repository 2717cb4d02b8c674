import fs from "node:fs/promises";
import path from "node:path";
import {
  type FleetEntry,
  fleetReport,
  fleetReportHtml,
  fleetUpgrade,
  rowState,
} from "@ds-service/codemods";
import {
  CancelledError,
  FindingsError,
  InternalError,
  ValidationError,
} from "@ds-service/generator";
import { type Logger, reportedAsJson } from "../io.js";
import { fileLines, type UpgradeCommandDeps } from "./upgrade.js";

export interface FleetFlags {
  readonly cwd?: string;
  readonly fromFile?: string;
  readonly concurrency?: string;
  readonly json?: boolean;
  readonly html?: string;
  readonly dryRun?: boolean;
}

/** Repository paths from arguments and/or a file with one path per line (# comments allowed). */
export async function fleetPaths(
  args: readonly string[],
  flags: FleetFlags,
  cwd: string,
): Promise<string[]> {
  const base = path.resolve(cwd, flags.cwd ?? ".");
  const listed: string[] = [];
  if (flags.fromFile) {
    const file = path.resolve(base, flags.fromFile);
    const text = await fs.readFile(file, "utf8").catch((error: Error) => {
      throw new ValidationError(`cannot read --from-file ${file}: ${error.message}`);
    });
    listed.push(
      ...text
        .split("\n")
        .map((l) => l.replace(/#.*/, "").trim())
        .filter(Boolean),
    );
  }
  const paths = [...args, ...listed].map((p) => path.resolve(base, p));
  if (paths.length === 0)
    throw new ValidationError("no repositories: pass paths or --from-file <list>");
  return [...new Set(paths)];
}

export async function fleetUpgradeCommand(
  args: string[],
  flags: FleetFlags,
  cwd: string,
  log: Logger,
  /** Ctrl-C (`signal`): repositories in flight roll back, the rest are not started; exit 130. */
  deps: UpgradeCommandDeps,
) {
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError(`--concurrency must be a positive integer, not ${flags.concurrency}`);
  }
  const paths = await fleetPaths(args, flags, cwd);
  const started = performance.now();
  const dryRun = flags.dryRun === true;
  const entries = await fleetUpgrade({ paths, concurrency, dryRun }, deps);
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) log.info(JSON.stringify({ seconds, dryRun, entries }, null, 2));
  else log.info(fleetTable(entries, seconds, dryRun));
  failOnFleet(entries);
}

/**
 * A crashed repository is a bug (exit 70, after the result is printed); a conflict or a
 * refusal (a dirty tree, a branch that exists) needs a person (exit 1, findings); a cancel
 * exits 130, after the entries say which repositories were upgraded before it.
 */
function failOnFleet(entries: readonly FleetEntry[]): void {
  const stopped = entries.filter((e) => e.status === "cancelled");
  if (stopped.length > 0) {
    const error = new CancelledError(
      `fleet upgrade cancelled: ${stopped.length} of ${entries.length} repositories left as they were`,
    );
    reportedAsJson.add(error);
    throw error;
  }
  const crashed = entries.filter((e) => e.status === "crashed");
  if (crashed.length > 0) {
    const error = new InternalError(
      `${crashed.length} of ${entries.length} repositories crashed (${crashed.map((e) => e.path).join(", ")}): unexpected failure — please report it at the ds-service issue tracker with the command you ran, your OS, \`node --version\` and the detail of each crashed repository above`,
    );
    reportedAsJson.add(error); // the entries, each crash's detail included, are the JSON document
    throw error;
  }
  const bad = entries.filter((e) => e.status === "conflicts" || e.status === "failed");
  if (bad.length > 0)
    throw new FindingsError(`${bad.length} of ${entries.length} repositories need a person`);
}

function fleetTable(entries: readonly FleetEntry[], seconds: number, dryRun: boolean): string {
  const counts = {
    upgraded: 0,
    "would-upgrade": 0,
    current: 0,
    conflicts: 0,
    failed: 0,
    crashed: 0,
    cancelled: 0,
  };
  for (const e of entries) counts[e.status] += 1;
  const firstLine = (text: string | undefined) => text?.split("\n")[0] ?? "";
  const rows = entries.map(
    (e) =>
      `| ${e.path} | ${e.status} | ${e.from ?? ""}${e.to ? ` → ${e.to}` : ""} | ${e.branch ?? firstLine(e.detail)} |`,
  );
  // Under the table, what a person should know per repository, as `upgrade` prints it: each
  // move, conflict and delete (a dry run first shows each repository's diff), or a crash's stack.
  const details = entries.flatMap((e) => {
    const lines =
      e.status === "crashed"
        ? (e.detail ?? "").split("\n").map((l) => `  ${l}`)
        : e.conflicts && e.deletions && e.moves && e.baseRefs
          ? fileLines({
              conflicts: e.conflicts,
              deletions: e.deletions,
              moves: e.moves,
              baseRefs: e.baseRefs,
            })
          : [];
    return lines.length > 0 ? [`${e.path}:`, ...lines] : [];
  });
  const diffs = entries.flatMap((e) => (e.diff ? [`# ${e.path}`, e.diff] : []));
  const done = dryRun
    ? `${counts["would-upgrade"]} would be upgraded`
    : `${counts.upgraded} upgraded`;
  return [
    ...diffs,
    "| repository | status | template | branch / detail |",
    "|---|---|---|---|",
    ...rows,
    ...(details.length > 0 ? ["", ...details] : []),
    "",
    `${entries.length} repositories in ${seconds.toFixed(1)} s${dryRun ? " (dry run: nothing written)" : ""}: ${done}, ${counts.current} already current, ${counts.conflicts} with conflicts, ${counts.failed} failed${counts.crashed > 0 ? `, ${counts.crashed} crashed` : ""}`,
  ].join("\n");
}

export async function fleetReportCommand(
  args: string[],
  flags: FleetFlags,
  cwd: string,
  log: Logger,
  deps: UpgradeCommandDeps,
) {
  const rows = await fleetReport(await fleetPaths(args, flags, cwd), deps);
  if (flags.html) {
    const file = path.resolve(cwd, flags.html);
    await fs.writeFile(file, fleetReportHtml(rows, new Date()));
    log.info(`Wrote ${file} (${rows.length} repositories)`);
  }
  if (flags.json) log.info(JSON.stringify(rows, null, 2));
  else if (!flags.html) {
    for (const r of rows) {
      log.info(`${r.path}\t${r.templateVersion ?? "-"}\t${r.error ?? rowState(r)}`);
    }
  }
  // A report is a check of many repositories: drift or an unreadable repository is a finding,
  // so a scheduled fleet job fails where a person is needed. Outdated alone is not (upgrade's job).
  const bad = rows.filter((r) => ["error", "drifted"].includes(rowState(r)));
  if (bad.length > 0) {
    throw new FindingsError(
      `${bad.length} of ${rows.length} repositories drifted or could not be read`,
    );
  }
}
