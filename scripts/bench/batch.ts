// The batch-scoring benchmark (issue 19): `make batch-score` on a 1,000,000-row Parquet file of
// training rows, with the local engine and with Ray (a 2-core cluster on loopback, and a Ray
// started for the run), against a floor measured in the same run: the trained pipeline's own
// predict over the whole frame, in one process, doing nothing else.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { freePort } from "../e2e/serve.js";
import { peakOf } from "./data.js";
import { median } from "./measure.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Issue 19: the local engine keeps at least 0.8× the floor's rows per second. */
export const LOCAL_GOAL = 0.8;
const RAY_CORES = 2;

export interface BatchOptions {
  readonly rows: number;
  /** Runs of the floor and of the local engine (alternating, after a warm-up of each). */
  readonly runs: number;
  /** Runs of the job on the running Ray cluster. */
  readonly rayRuns: number;
}

interface Floor {
  readonly readSeconds: number;
  readonly predictSeconds: number;
  /** What the floor called: `predict`, or `predict + predict_proba` for a classifier. */
  readonly calls: string;
}

/** Seconds of each run (summary.json's own `seconds`), or why Ray did not run. */
export type RayFigures = { readonly seconds: readonly number[] } | { readonly error: string };

export interface BatchFigures {
  readonly rows: number;
  readonly floor: {
    readonly calls: string;
    readonly read: number;
    readonly predict: number;
    readonly peakMiB: number;
  };
  readonly local: { readonly seconds: number; readonly peakMiB: number };
  readonly rayCluster: RayFigures;
  readonly rayStarted: RayFigures;
}

/** The job's own timing: summary.json's `seconds` (model load, read, score, write, publish). */
async function summarySeconds(output: string): Promise<number> {
  const summary = JSON.parse(await fs.readFile(path.join(output, "summary.json"), "utf8"));
  return Number(summary.seconds);
}

const lastLine = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((line) => line.trim())
    .at(-1) ?? "";

/** Why a Ray case failed, in one line for the table; the output's tail goes to stderr. */
function reason(error: unknown): string {
  const failed = error as { shortMessage?: string; stderr?: unknown; message?: string };
  const output = typeof failed.stderr === "string" ? failed.stderr : (failed.message ?? "");
  console.error(`batch scoring on Ray failed:\n${output.slice(-4000)}`);
  const first = (failed.shortMessage ?? failed.message ?? String(error)).split("\n")[0] ?? "";
  const head = first.replace(/:$/, "");
  const last = lastLine(output);
  // A table cell: no pipes.
  return (last && last !== first ? `${head}: ${last}` : head).replaceAll("|", "/");
}

/**
 * The environment of a Ray process: the project's interpreter on the workers, no usage stats,
 * and never a RAY_ADDRESS or token of the caller's (each case sets its own).
 */
function rayEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("RAY_")) env[key] = value;
  }
  return { ...env, RAY_ENABLE_UV_RUN_RUNTIME_ENV: "0", RAY_USAGE_STATS_ENABLED: "0", ...extra };
}

interface RayHead {
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * A one-node cluster of `RAY_CORES` cores on loopback, joined with a token. `ray start --block`
 * runs as this process's child and shuts down its own Ray processes on SIGTERM, so stopping it
 * touches no other Ray on the machine (`ray stop` would end every one, other users' too).
 */
async function startRayHead(
  dir: string,
  tempDir: string,
  env: Record<string, string>,
): Promise<RayHead> {
  // Ray's worker processes take ports 10002-19999: the GCS port is chosen outside them.
  let port = await freePort();
  while (port >= 10002 && port <= 19999) port = await freePort();
  const head = execa(
    path.join(dir, ".venv/bin/ray"),
    [
      ...["start", "--head", "--block", "--node-ip-address=127.0.0.1", `--port=${port}`],
      ...["--include-dashboard=false", `--num-cpus=${RAY_CORES}`, "--disable-usage-stats"],
      `--temp-dir=${tempDir}`,
    ],
    // On SIGTERM Ray drains for up to 30 s before it ends its processes.
    { cwd: dir, env, extendEnv: false, all: true, reject: false, forceKillAfterDelay: 45_000 },
  );
  let log = "";
  let timer: NodeJS.Timeout | undefined;
  const up = new Promise<void>((resolve, reject) => {
    head.all?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("block forever")) resolve();
    });
    void head.then((result) =>
      reject(new Error(`ray start exited (code ${result.exitCode}):\n${log.slice(-4000)}`)),
    );
    timer = setTimeout(
      () => reject(new Error(`ray start: not up after 120 s:\n${log.slice(-4000)}`)),
      120_000,
    );
  });
  const stop = async () => {
    head.kill("SIGTERM");
    await head;
  };
  try {
    await up;
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { address: `127.0.0.1:${port}`, stop };
}

/**
 * Write the input in `work`, then measure the floor and the local engine (peak memory of each
 * process tree too) and the Ray engine. A Ray that cannot start or run is reported as such, not
 * thrown: the other figures stand without it.
 */
export async function measureBatch(
  dir: string,
  work: string,
  options: BatchOptions,
): Promise<BatchFigures> {
  const [pkg] = await fs.readdir(path.join(dir, "src"));
  if (!pkg) throw new Error(`no package under ${dir}/src`);
  await fs.access(path.join(dir, "artifacts/metadata.json")).catch(() =>
    // CI="": on CI `make train` insists on a clean git tree, which a benchmark does not need.
    execa("make", ["train"], { cwd: dir, stdin: "ignore", timeout: 300_000, env: { CI: "" } }),
  );
  // The project's environment with the `ray` group, as `make batch-score ENGINE=ray` syncs it.
  await execa("uv", ["run", "--quiet", "--group", "ray", "python", "-c", ""], { cwd: dir });
  const python = path.join(dir, ".venv/bin/python");
  const input = path.join(work, "batch.parquet");
  await execa(python, [path.join(here, "batch_input.py"), pkg, String(options.rows), input], {
    cwd: dir,
  });
  const job = (output: string, engine: string) => [
    ...["-m", `${pkg}.jobs.batch_score`, "--input", input, "--output", output],
    ...["--engine", engine],
  ];

  let n = 0;
  const floorRun = async () => {
    const figures = path.join(work, `floor-${n++}.json`);
    const peak = await peakOf(
      [python, path.join(here, "batch_floor.py"), pkg, input, figures],
      dir,
    );
    return { ...(JSON.parse(await fs.readFile(figures, "utf8")) as Floor), peakMiB: peak.peakMiB };
  };
  const localRun = async () => {
    const output = path.join(work, `local-${n++}`);
    const peak = await peakOf([python, ...job(output, "local")], dir);
    const seconds = await summarySeconds(output);
    await fs.rm(output, { recursive: true, force: true });
    return { seconds, peakMiB: peak.peakMiB };
  };
  // Alternating after a warm-up of each, as `compare` does: a machine that slows down or
  // speeds up affects both alike.
  await floorRun();
  await localRun();
  const floors: Awaited<ReturnType<typeof floorRun>>[] = [];
  const locals: Awaited<ReturnType<typeof localRun>>[] = [];
  for (let i = 0; i < options.runs; i++) {
    floors.push(await floorRun());
    locals.push(await localRun());
  }

  const rayRun = async (env: Record<string, string>) => {
    const output = path.join(work, `ray-${n++}`);
    await execa(python, job(output, "ray"), { cwd: dir, env, extendEnv: false, timeout: 600_000 });
    const seconds = await summarySeconds(output);
    await fs.rm(output, { recursive: true, force: true });
    return seconds;
  };
  const rayCluster = await (async (): Promise<RayFigures> => {
    const env = rayEnv({ RAY_AUTH_MODE: "token", RAY_AUTH_TOKEN: randomBytes(16).toString("hex") });
    try {
      const head = await startRayHead(dir, path.join(work, "r1"), env);
      try {
        const seconds: number[] = [];
        for (let i = 0; i < options.rayRuns; i++) {
          seconds.push(await rayRun({ ...env, RAY_ADDRESS: head.address }));
        }
        return { seconds };
      } finally {
        await head.stop();
      }
    } catch (error) {
      return { error: reason(error) };
    }
  })();
  // No RAY_ADDRESS: the job starts a local Ray (all cores) and stops it. Its own temp dir, so it
  // cannot find and join another cluster started on this machine.
  const rayStarted = await rayRun(rayEnv({ RAY_TMPDIR: path.join(work, "r2") })).then(
    (seconds): RayFigures => ({ seconds: [seconds] }),
    (error: unknown): RayFigures => ({ error: reason(error) }),
  );

  return {
    rows: options.rows,
    floor: {
      calls: floors[0]?.calls ?? "predict",
      read: median(floors.map((f) => f.readSeconds)),
      predict: median(floors.map((f) => f.predictSeconds)),
      peakMiB: median(floors.map((f) => f.peakMiB)),
    },
    local: {
      seconds: median(locals.map((l) => l.seconds)),
      peakMiB: median(locals.map((l) => l.peakMiB)),
    },
    rayCluster,
    rayStarted,
  };
}

export interface BatchRow {
  readonly benchmark: string;
  readonly subject: string;
  readonly baseline: string;
  readonly ratio: number | null;
  readonly target: string;
}

/** Table rows: local vs the floor (speed, memory), then each Ray case vs the floor. */
export function batchRows(f: BatchFigures, cores: number): BatchRow[] {
  const rate = (seconds: number) => f.rows / seconds;
  const perS = (seconds: number) => `${Math.round(rate(seconds)).toLocaleString("en-US")} rows/s`;
  const rows = f.rows.toLocaleString("en-US");
  const floor = `floor (pipeline ${f.floor.calls}, whole frame, one call): ${perS(f.floor.predict)} (predict ${f.floor.predict.toFixed(2)} s; read ${f.floor.read.toFixed(2)} s, not counted)`;
  const localRatio = rate(f.local.seconds) / rate(f.floor.predict);
  const ray = (what: string, figures: RayFigures): BatchRow => {
    if ("error" in figures) {
      return {
        benchmark: `batch scoring ${rows} rows, Ray engine ${what}`,
        subject: `✗ error, not measured: ${figures.error}`,
        baseline: floor,
        ratio: null,
        target: "Ray did not run",
      };
    }
    const seconds = median(figures.seconds);
    const overhead = seconds - f.local.seconds;
    return {
      benchmark: `batch scoring ${rows} rows, Ray engine ${what} (summary.json seconds; run${figures.seconds.length > 1 ? "s" : ""} ${figures.seconds.map((s) => s.toFixed(1)).join(", ")} s)`,
      subject: `${perS(seconds)} in ${seconds.toFixed(2)} s: ${overhead >= 0 ? "+" : ""}${overhead.toFixed(2)} s vs local`,
      baseline: floor,
      ratio: rate(seconds) / rate(f.floor.predict),
      target: "",
    };
  };
  return [
    {
      benchmark: `batch scoring ${rows} rows (Parquet, 100,000-row groups), local engine (summary.json seconds: load, read, validate, score, write)`,
      subject: `${perS(f.local.seconds)} in ${f.local.seconds.toFixed(2)} s`,
      baseline: floor,
      ratio: localRatio,
      target: `≥ ${LOCAL_GOAL}× ${localRatio >= LOCAL_GOAL ? "✓" : "✗ under"}`,
    },
    {
      benchmark: `batch scoring ${rows} rows, local engine: peak memory of the process tree`,
      subject: `${f.local.peakMiB.toFixed(0)} MiB`,
      baseline: `floor process (whole frame in memory): ${f.floor.peakMiB.toFixed(0)} MiB`,
      ratio: f.local.peakMiB / f.floor.peakMiB,
      target: "",
    },
    ray(`on a ${RAY_CORES}-core Ray cluster (RAY_ADDRESS)`, f.rayCluster),
    ray(`with a Ray started for the run (no RAY_ADDRESS, ${cores} cores)`, f.rayStarted),
  ];
}
