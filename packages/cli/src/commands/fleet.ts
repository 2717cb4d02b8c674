import fs from "node:fs/promises";
import path from "node:path";
import {
  type FleetEntry,
  fleetReport,
  fleetReportHtml,
  fleetUpgrade,
  rowState,
} from "@ds-service/codemods";
import { FindingsError, ValidationError } from "@ds-service/generator";
import type { Logger } from "../io.js";

export interface FleetFlags {
  readonly cwd?: string;
  readonly fromFile?: string;
  readonly concurrency?: string;
  readonly json?: boolean;
  readonly html?: string;
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
) {
  const concurrency = flags.concurrency === undefined ? 4 : Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError(`--concurrency must be a positive integer, not ${flags.concurrency}`);
  }
  const paths = await fleetPaths(args, flags, cwd);
  const started = performance.now();
  const entries = await fleetUpgrade({ paths, concurrency });
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) log.info(JSON.stringify({ seconds, entries }, null, 2));
  else log.info(fleetTable(entries, seconds));
  const bad = entries.filter((e) => e.status === "conflicts" || e.status === "failed");
  if (bad.length > 0)
    throw new FindingsError(`${bad.length} of ${entries.length} repositories need a person`);
}

function fleetTable(entries: readonly FleetEntry[], seconds: number): string {
  const counts = { upgraded: 0, current: 0, conflicts: 0, failed: 0 };
  for (const e of entries) counts[e.status] += 1;
  const rows = entries.map(
    (e) =>
      `| ${e.path} | ${e.status} | ${e.from ?? ""}${e.to ? ` → ${e.to}` : ""} | ${e.branch ?? e.detail ?? ""} |`,
  );
  return [
    "| repository | status | template | branch / detail |",
    "|---|---|---|---|",
    ...rows,
    "",
    `${entries.length} repositories in ${seconds.toFixed(1)} s: ${counts.upgraded} upgraded, ${counts.current} already current, ${counts.conflicts} with conflicts, ${counts.failed} failed`,
  ].join("\n");
}

export async function fleetReportCommand(
  args: string[],
  flags: FleetFlags,
  cwd: string,
  log: Logger,
) {
  const rows = await fleetReport(await fleetPaths(args, flags, cwd));
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
