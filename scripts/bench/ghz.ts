// One gRPC load run with ghz against the protocol's ModelInfer, read into the same figures as
// an HTTP run with hey (./hey.ts), so gRPC rows compare like the REST ones.
import { execa } from "execa";
import type { LoadResult } from "./hey.js";

export interface GrpcLoadOptions {
  readonly ghz: string;
  /** `host:port` of the server's gRPC service. */
  readonly target: string;
  /** The protocol's .proto (the generated project's copy in tests/serve/). */
  readonly proto: string;
  /** A ModelInferRequest in protobuf's JSON form. */
  readonly bodyFile: string;
  readonly concurrency: number;
  readonly seconds: number;
}

interface GhzReport {
  readonly rps: number;
  readonly count: number;
  readonly latencyDistribution?: readonly { percentage: number; latency: number }[] | null;
  readonly statusCodeDistribution?: Record<string, number> | null;
  readonly errorDistribution?: Record<string, number> | null;
}

/**
 * ghz's JSON report as load figures (milliseconds). Any status but OK fails the benchmark: a
 * server that refuses fast would otherwise look fast.
 */
export function parseGhz(json: string): LoadResult {
  const report = JSON.parse(json) as GhzReport;
  const statuses = Object.entries(report.statusCodeDistribution ?? {});
  const errors = Object.keys(report.errorDistribution ?? {});
  if (statuses.length === 0 || statuses.some(([code]) => code !== "OK") || errors.length > 0) {
    const found = JSON.stringify({ statuses, errors: report.errorDistribution });
    throw new Error(`gRPC load test got errors or non-OK answers: ${found}`);
  }
  const percentile = (p: number): number => {
    const entry = report.latencyDistribution?.find((d) => d.percentage === p);
    if (!entry) throw new Error(`ghz report has no p${p} latency`);
    return entry.latency / 1e6; // nanoseconds
  };
  return {
    rps: report.rps,
    requests: report.count,
    p50: percentile(50),
    p95: percentile(95),
    p99: percentile(99),
  };
}

/** Call ModelInfer with the body in `bodyFile` for `seconds` at full speed. */
export async function loadGrpc(options: GrpcLoadOptions): Promise<LoadResult> {
  const { ghz, target, proto, bodyFile, concurrency, seconds } = options;
  const { stdout } = await execa(
    ghz,
    [
      "--insecure",
      "--proto",
      proto,
      "--call",
      "inference.GRPCInferenceService/ModelInfer",
      "--data-file",
      bodyFile,
      "--concurrency",
      String(concurrency),
      "--duration",
      `${seconds}s`,
      // Calls in flight when the time is up finish and count; ghz would otherwise cut them
      // off and report them as Unavailable.
      "--duration-stop",
      "wait",
      "--format",
      "json",
      target,
    ],
    { stdin: "ignore", timeout: (seconds + 60) * 1000 },
  );
  return parseGhz(stdout);
}
