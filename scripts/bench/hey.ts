import { execa } from "execa";

/** What one `hey` run measured; latencies in milliseconds. */
export interface LoadResult {
  readonly rps: number;
  readonly requests: number;
  /** hey prints no percentile p below 100/(100-p) responses; the slowest bounds it then. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface LoadOptions {
  readonly hey: string;
  readonly url: string;
  readonly bodyFile: string;
  readonly concurrency: number;
  readonly seconds: number;
  /** Total requests per second across all workers; hey's `-q` is per worker. */
  readonly rate?: number;
}

const number = (text: string, pattern: RegExp, what: string): number => {
  const match = pattern.exec(text);
  if (!match?.[1]) throw new Error(`hey output has no ${what}:\n${text}`);
  return Number(match[1]);
};

/**
 * Read hey's text summary. Any status other than 200, and any transport error, fails the
 * benchmark: a server that answers errors fast would otherwise look fast.
 */
export function parseHey(text: string): LoadResult {
  const statuses = [...text.matchAll(/^\s+\[(\d+)\]\s+(\d+) responses/gm)];
  const bad = statuses.filter(([, code]) => code !== "200");
  const errors = text.split("Error distribution:")[1]?.trim();
  if (statuses.length === 0 || bad.length > 0 || errors) {
    throw new Error(`load test got errors or non-200 answers:\n${text}`);
  }
  const requests = statuses.reduce((sum, [, , count]) => sum + Number(count), 0);
  const percentile = (p: number): number | null => {
    const match = new RegExp(`^\\s+${p}% in ([\\d.]+) secs`, "m").exec(text);
    return match?.[1] ? Number(match[1]) * 1000 : null;
  };
  const slowest = number(text, /Slowest:\s+([\d.]+) secs/, "slowest latency") * 1000;
  return {
    rps: number(text, /Requests\/sec:\s+([\d.]+)/, "Requests/sec"),
    requests,
    p50: percentile(50) ?? slowest,
    p95: percentile(95) ?? slowest,
    p99: percentile(99) ?? slowest,
  };
}

/** POST the JSON body in `bodyFile` for `seconds`, at full speed or at a fixed total rate. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const { hey, url, bodyFile, concurrency, seconds, rate } = options;
  const args = ["-z", `${seconds}s`, "-c", String(concurrency), "-m", "POST"];
  args.push("-T", "application/json", "-D", bodyFile);
  if (rate !== undefined) args.push("-q", (rate / concurrency).toFixed(3));
  const { stdout } = await execa(hey, [...args, url], {
    stdin: "ignore",
    timeout: (seconds + 60) * 1000,
  });
  return parseHey(stdout);
}
