// The `--data` path: the memory and speed of profiling a large CSV (bounded by the chunk size,
// not the file), and CSV → green (`new --data` + `make check`) against the demo's time-to-green
// measured in the same run.

import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { SYNTHETIC, writeSyntheticCsv } from "./synthetic-csv.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = { CI: "true", NO_COLOR: "1" };
/** Issue 13: profiling a 1 GB CSV stays under 2 GB of memory; CSV → green within 3 minutes. */
export const PROFILE_BUDGET_MIB = 2048;
export const GREEN_BUDGET_S = 180;

/** MiB of synthetic CSV to profile: $BENCH_CSV_MIB (e.g. 100 for a quicker look), else 1 GiB. */
export function csvMiB(quick: boolean): number {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench runs through tsx, never turbo.
  const asked = Number(process.env.BENCH_CSV_MIB);
  if (Number.isFinite(asked) && asked > 0) return asked;
  return quick ? 20 : 1024;
}

export interface Peak {
  readonly exitCode: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakMiB: number;
  readonly treeMiB: number;
  readonly processMiB: number;
}

/** Peak memory of a command's whole process tree (scripts/bench/peak_rss.py, with psutil). */
export async function peakOf(command: readonly string[], cwd: string, every = 0.05): Promise<Peak> {
  const monitor = ["run", "--no-project", "--quiet", "--with", "psutil>=5.9", "python"];
  const script = [path.join(here, "peak_rss.py"), "--every", String(every), "--"];
  const run = await execa("uv", [...monitor, ...script, ...command], { cwd, env, reject: false });
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  const peak = (last.startsWith("{") ? JSON.parse(last) : null) as Peak | null;
  if (run.exitCode !== 0 || peak === null || peak.exitCode !== 0) {
    throw new Error(`${command.join(" ")} failed:\n${run.stderr.slice(-4000)}`);
  }
  return peak;
}

export interface ProfileFigures {
  readonly mib: number;
  readonly rows: number;
  /** `ds-service new --data` without install: the profiler exactly as the CLI runs it. */
  readonly profile: Peak;
  /** The same file read with pandas in the profiler's chunks, doing nothing else. */
  readonly read: Peak;
}

/**
 * Writes a synthetic CSV of `mib` MiB in `work`, profiles it with the CLI (`new --data
 * --no-install --no-git`: profile, then render) under a memory monitor, and reads it with plain
 * pandas as the same-run baseline. The file is deleted afterwards, whatever happens.
 */
export async function profileMemory(
  cliBin: string,
  work: string,
  mib: number,
): Promise<ProfileFigures> {
  const big = path.join(work, "big.csv");
  const tiny = path.join(work, "tiny.csv");
  const newData = (csv: string, dir: string) => [
    process.execPath,
    cliBin,
    "new",
    path.join(work, dir),
    "--yes",
    "--no-install",
    "--no-git",
    "--data",
    csv,
    "--target",
    SYNTHETIC.target,
    "--id",
    SYNTHETIC.id,
    "--time",
    SYNTHETIC.time,
  ];
  try {
    const rows = await writeSyntheticCsv(big, mib * 2 ** 20);
    // Warm uv's environments (the profiler's, the monitor's) so the measured run is the work alone.
    await writeSyntheticCsv(tiny, 64 * 1024);
    await peakOf(newData(tiny, "profile-warm"), work);
    const profile = await peakOf(newData(big, "profile-big"), work);
    // As packages/generator/src/lifecycle/profile.ts runs the profiler: same Python, same packages.
    const read = await peakOf(
      [
        "uv",
        ...["run", "--no-project", "--quiet", "--offline", "--python", "3.11"],
        ...["--with", "pandas>=3.0", "--with", "pyarrow>=18", "python", "-c"],
        "import sys, pandas\nfor _ in pandas.read_csv(sys.argv[1], chunksize=50_000, low_memory=False): pass",
        big,
      ],
      work,
    );
    return { mib, rows, profile, read };
  } finally {
    await fs.rm(big, { force: true });
    await fs.rm(tiny, { force: true });
  }
}

/** Palmer penguins as a CSV, from the palmerpenguins package (the data ships inside it). */
async function penguinsCsv(file: string): Promise<void> {
  await execa("uv", [
    ...["run", "--no-project", "--quiet", "--with", "palmerpenguins", "--with", "pandas"],
    ...[
      "python",
      "-c",
      "import sys, palmerpenguins as p; p.load_penguins().to_csv(sys.argv[1], index=False)",
    ],
    file,
  ]);
}

export interface GreenFigures {
  readonly new: Peak;
  readonly check: Peak;
}

/** `new` (with git, which make check's repository tests need) then `make check`, timed. */
async function green(cliBin: string, dir: string, data: readonly string[]): Promise<GreenFigures> {
  // One sample a second: enough for a rough peak, too rare to take CPU from the work.
  const created = await peakOf(
    [process.execPath, cliBin, "new", dir, "--yes", ...data],
    path.dirname(dir),
    1,
  );
  const check = await peakOf(["make", "check"], dir, 1);
  return { new: created, check };
}

/**
 * CSV → green on penguins (`new --data`: profile, uv lock + sync, make tune; then make check),
 * and the demo's `new` + `make check` as the baseline, both with a warm uv cache: each project
 * is generated (and installed) once first, which fills the cache and is not timed.
 */
export async function csvToGreen(
  cliBin: string,
  work: string,
): Promise<{ data: GreenFigures; demo: GreenFigures }> {
  const csv = path.join(work, "penguins.csv");
  await penguinsCsv(csv);
  const penguins = ["--data", csv, "--target", "species"];
  for (const [dir, data] of [
    ["warm-demo", []],
    ["warm-penguins", penguins],
  ] as const) {
    await execa(
      process.execPath,
      [cliBin, "new", path.join(work, dir), "--yes", "--no-git", ...data],
      {
        env,
      },
    );
  }
  const demo = await green(cliBin, path.join(work, "green-demo"), []);
  const data = await green(cliBin, path.join(work, "green-penguins"), penguins);
  return { data, demo };
}
