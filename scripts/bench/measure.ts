import { execa } from "execa";

export interface Timing {
  readonly median: number;
  readonly runs: readonly number[];
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Seconds one `run` takes; `prepare` (not timed) sets up a fresh input for each run. */
export async function timeOnce(
  run: () => Promise<unknown>,
  prepare?: () => Promise<void>,
): Promise<number> {
  if (prepare) await prepare();
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

/**
 * Subject and baseline measured in the same run, alternating, after a warm-up of each, so a
 * machine that slows down or speeds up affects both alike. Reports medians and their ratio.
 */
export async function compare(
  subject: { run: () => Promise<unknown>; prepare?: () => Promise<void> },
  baseline: { run: () => Promise<unknown>; prepare?: () => Promise<void> },
  runs: number,
): Promise<{ subject: Timing; baseline: Timing; ratio: number }> {
  await timeOnce(baseline.run, baseline.prepare);
  await timeOnce(subject.run, subject.prepare);
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    b.push(await timeOnce(baseline.run, baseline.prepare));
    s.push(await timeOnce(subject.run, subject.prepare));
  }
  const subjectT = { median: median(s), runs: s };
  const baselineT = { median: median(b), runs: b };
  return { subject: subjectT, baseline: baselineT, ratio: subjectT.median / baselineT.median };
}

export const node = (args: readonly string[], cwd?: string) =>
  execa(process.execPath, args, { cwd, stdin: "ignore", env: { CI: "true", NO_COLOR: "1" } });
