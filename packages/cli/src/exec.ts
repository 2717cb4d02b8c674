import { StepError } from "@ds-service/generator";

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Runs an outside tool; never throws for a non-zero exit (the caller decides what it means). */
export type Exec = (
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
) => Promise<ExecResult>;

/** The real Exec, on execa, loaded on first use: most invocations never spawn anything. */
export const execaExec: Exec = async (file, args, options) => {
  const { execa } = await import("execa");
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    all: true,
    reject: false,
    stdin: "ignore",
  });
  if (result.failed && result.exitCode === undefined) {
    // Not found, or killed: no exit code to report.
    const code = (result as { code?: string }).code;
    if (code === "ENOENT") throw new StepError(`\`${file}\` was not found on PATH`);
    return { exitCode: -1, output: String(result.all ?? result.message) };
  }
  return { exitCode: result.exitCode ?? -1, output: String(result.all ?? "") };
};

/** Runs and throws a StepError carrying the tool's output when it fails. */
export async function mustRun(
  exec: Exec,
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<string> {
  const result = await exec(file, args, options);
  if (result.exitCode !== 0) {
    throw new StepError(
      `\`${[file, ...args].join(" ")}\` failed (exit ${result.exitCode}):\n${result.output.trim()}`,
    );
  }
  return result.output;
}
