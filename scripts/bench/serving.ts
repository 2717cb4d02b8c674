// The serving benchmark: the generated service under load with `hey`, against the same
// service with monitoring off, a bare FastAPI app serving the same artifact (one uvicorn
// process, one worker each) and, on the protocol's infer route, MLServer serving it too
// (./mlserver.ts), all running side by side and loaded one at a time.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { type Server, startServer } from "../e2e/serve.js";
import { loadGrpc } from "./ghz.js";
import { type LoadResult, load } from "./hey.js";
import { median } from "./measure.js";
import { MLSERVER_VERSION, startMlserver } from "./mlserver.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CONCURRENCY = 8;
// hey's rate-limited workers tick in lockstep: at c=8 every tick lands 8 requests at once and
// the p99 measures that self-made burst (8 × the service time), not the service at half load.
// Two workers keep some overlap while spreading arrivals like independent clients would.
const HALF_RATE_CONCURRENCY = 2;

export interface ServingOptions {
  readonly hey: string;
  readonly ghz: string;
  readonly runs: number;
  readonly seconds: number;
}

type App = "on" | "off" | "bare" | "mlserver";
/** The apps loaded on each route: MLServer speaks only the protocol, not `/predict`. */
const APPS: Record<ServingCase["route"], readonly App[]> = {
  infer: ["bare", "on", "off", "mlserver"],
  predict: ["bare", "on", "off"],
};

/** Medians over the runs of one app on one route and body. */
export interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface ServingCase {
  readonly route: "infer" | "predict";
  readonly rows: number;
  readonly max: Record<Exclude<App, "mlserver">, Figures> & { readonly mlserver?: Figures };
  /** Total requests per second of the half-rate runs: half the monitored service's maximum. */
  readonly halfRate: number;
  readonly p99AtHalfRate: { readonly on: number; readonly bare: number };
}

/** The protocol's gRPC ModelInfer: the monitored service against MLServer's gRPC server. */
export interface GrpcCase {
  readonly rows: number;
  readonly on: Figures;
  readonly mlserver: Figures;
}

export interface ServingFigures {
  readonly rest: ServingCase[];
  readonly grpc: GrpcCase[];
}

const summarise = (results: readonly LoadResult[]): Figures => ({
  rps: median(results.map((r) => r.rps)),
  p50: median(results.map((r) => r.p50)),
  p95: median(results.map((r) => r.p95)),
  p99: median(results.map((r) => r.p99)),
});

/** Rotate the order every run, as `compare` alternates, so drift in machine load is shared. */
const rotated = <T>(items: readonly T[], by: number): T[] =>
  items.map((_, i) => items[(i + by) % items.length] as T);

/** Train the project in `dir`, start the apps, load each route (REST, then gRPC) and body size. */
export async function measureServing(
  dir: string,
  options: ServingOptions,
): Promise<ServingFigures> {
  // CI="" : on CI `make train` insists on a clean git tree, which a benchmark does not need.
  await execa("make", ["train"], { cwd: dir, stdin: "ignore", timeout: 300_000, env: { CI: "" } });
  const [pkg] = await fs.readdir(path.join(dir, "src"));
  if (!pkg) throw new Error(`no package under ${dir}/src`);
  const modelName = JSON.parse(
    await fs.readFile(path.join(dir, "artifacts/metadata.json"), "utf8"),
  ).name;
  const bodies = await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-bodies-"));
  await execa(
    "uv",
    ["run", "--project", dir, "python", path.join(here, "bodies.py"), pkg, bodies],
    {
      timeout: 120_000,
    },
  );

  const servers: Partial<Record<App, Server>> = {};
  try {
    const ready = { readyPath: "/v2/health/ready" };
    for (const monitoring of ["on", "off"] as const) {
      servers[monitoring] = await startServer("make", ["serve"], {
        cwd: dir,
        env: { MONITORING_ENABLED: String(monitoring === "on") },
        ...ready,
      });
    }
    servers.bare = await startServer(
      "uv",
      ["run", "--project", dir, "python", path.join(here, "bare_app.py")],
      { cwd: dir, env: { MODEL_DIR: path.join(dir, "artifacts") }, ...ready },
    );
    servers.mlserver = await startMlserver(dir, modelName);
    const urlOf = (app: App, route: ServingCase["route"]) =>
      `${servers[app]?.baseUrl}${route === "infer" ? `/v2/models/${modelName}/infer` : "/predict"}`;

    const cases: ServingCase[] = [];
    for (const route of ["infer", "predict"] as const) {
      for (const rows of [1, 1000]) {
        const bodyFile = path.join(bodies, `${route}-${rows}.json`);
        const common = (app: App) => ({
          hey: options.hey,
          url: urlOf(app, route),
          bodyFile,
          concurrency: CONCURRENCY,
        });
        const run = (app: App, rate?: number) =>
          load({
            ...common(app),
            seconds: options.seconds,
            rate,
            ...(rate === undefined ? {} : { concurrency: HALF_RATE_CONCURRENCY }),
          });
        // Warm-up: the first requests import lazily and allocate.
        for (const app of APPS[route]) await load({ ...common(app), seconds: 1 });
        const results: Record<App, LoadResult[]> = { on: [], off: [], bare: [], mlserver: [] };
        for (let i = 0; i < options.runs; i++) {
          for (const app of rotated(APPS[route], i)) results[app].push(await run(app));
        }
        const max = {
          on: summarise(results.on),
          off: summarise(results.off),
          bare: summarise(results.bare),
          ...(results.mlserver.length > 0 ? { mlserver: summarise(results.mlserver) } : {}),
        };
        const halfRate = max.on.rps / 2;
        const half: Record<"on" | "bare", number[]> = { on: [], bare: [] };
        for (let i = 0; i < options.runs; i++) {
          for (const app of rotated(["bare", "on"] as const, i)) {
            half[app].push((await run(app, halfRate)).p99);
          }
        }
        cases.push({
          route,
          rows,
          max,
          halfRate,
          p99AtHalfRate: { on: median(half.on), bare: median(half.bare) },
        });
      }
    }
    // gRPC: the same request as a ModelInferRequest, at full speed, alternating the servers.
    const proto = path.join(dir, "tests/serve/open_inference_grpc.proto");
    const grpcApps = ["on", "mlserver"] as const;
    const grpc: GrpcCase[] = [];
    for (const rows of [1, 1000]) {
      const runGrpc = (app: (typeof grpcApps)[number], seconds: number) =>
        loadGrpc({
          ghz: options.ghz,
          target: servers[app]?.grpcTarget ?? "",
          proto,
          bodyFile: path.join(bodies, `grpc-infer-${rows}.json`),
          concurrency: CONCURRENCY,
          seconds,
        });
      for (const app of grpcApps) await runGrpc(app, 1); // warm-up
      const results: Record<(typeof grpcApps)[number], LoadResult[]> = { on: [], mlserver: [] };
      for (let i = 0; i < options.runs; i++) {
        for (const app of rotated(grpcApps, i))
          results[app].push(await runGrpc(app, options.seconds));
      }
      grpc.push({ rows, on: summarise(results.on), mlserver: summarise(results.mlserver) });
    }
    return { rest: cases, grpc };
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
    await fs.rm(bodies, { recursive: true, force: true });
  }
}

export interface ServingRow {
  readonly benchmark: string;
  readonly subject: string;
  readonly baseline: string;
  readonly ratio: number | null;
  readonly target: string;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const figures = (f: Figures) =>
  `${f.rps.toFixed(0)} req/s, p50/p95/p99 ${f.p50.toFixed(1)}/${f.p95.toFixed(1)}/${f.p99.toFixed(1)} ms`;

/** Table rows per route and batch size: vs bare FastAPI, vs monitoring off, vs MLServer, p99. */
export function servingRows({ rest, grpc }: ServingFigures): ServingRow[] {
  return [...rest.flatMap(restRows), ...grpc.flatMap(grpcRows)];
}

function grpcRows(c: GrpcCase): ServingRow[] {
  const what = `gRPC ModelInfer, ${c.rows} row${c.rows > 1 ? "s" : ""}`;
  return [
    {
      benchmark: `serving ${what}: throughput, monitoring on vs MLServer ${MLSERVER_VERSION} gRPC (same artifact, c=${CONCURRENCY}, ghz)`,
      subject: figures(c.on),
      baseline: `MLServer: ${figures(c.mlserver)}`,
      ratio: c.on.rps / c.mlserver.rps,
      target: "≥ 1.0×",
    },
    {
      benchmark: `serving ${what}: p99 at the max rate, monitoring on vs MLServer`,
      subject: ms(c.on.p99),
      baseline: `MLServer: ${ms(c.mlserver.p99)}`,
      ratio: c.on.p99 / c.mlserver.p99,
      target: "≤ 1.0×",
    },
  ];
}

function restRows(c: ServingCase): ServingRow[] {
  const what = `${c.route === "infer" ? "/v2/…/infer" : "/predict"}, ${c.rows} row${c.rows > 1 ? "s" : ""}`;
  return [
    {
      benchmark: `serving ${what}: throughput, monitoring on vs bare FastAPI (c=${CONCURRENCY})`,
      subject: figures(c.max.on),
      baseline: `bare: ${figures(c.max.bare)}`,
      ratio: c.max.on.rps / c.max.bare.rps,
      target: "≥ 0.9×",
    },
    {
      benchmark: `serving ${what}: throughput, monitoring on vs off`,
      subject: figures(c.max.on),
      baseline: `off: ${figures(c.max.off)}`,
      ratio: c.max.on.rps / c.max.off.rps,
      target: "≥ 0.9×",
    },
    ...(c.max.mlserver
      ? [
          {
            benchmark: `serving ${what}: throughput, monitoring on vs MLServer ${MLSERVER_VERSION} (same artifact, its defaults, c=${CONCURRENCY})`,
            subject: figures(c.max.on),
            baseline: `MLServer: ${figures(c.max.mlserver)}`,
            ratio: c.max.on.rps / c.max.mlserver.rps,
            target: "≥ 1.0×",
          },
          {
            benchmark: `serving ${what}: p99 at the max rate, monitoring on vs MLServer`,
            subject: ms(c.max.on.p99),
            baseline: `MLServer: ${ms(c.max.mlserver.p99)}`,
            ratio: c.max.on.p99 / c.max.mlserver.p99,
            target: "≤ 1.0×",
          },
        ]
      : []),
    {
      benchmark: `serving ${what}: p99 at half the max rate (${c.halfRate.toFixed(0)} req/s, c=${HALF_RATE_CONCURRENCY})`,
      subject: ms(c.p99AtHalfRate.on),
      baseline: `bare: ${ms(c.p99AtHalfRate.bare)}`,
      ratio: c.p99AtHalfRate.on / c.p99AtHalfRate.bare,
      target: "≤ 15 ms",
    },
  ];
}
