import { CancelledError, StepError } from "@ds-service/generator";

export interface ExecResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Runs an outside tool; never throws for a non-zero exit (the caller decides what it means). */
export type Exec = (
  file: string,
  args: readonly string[],
  options: ExecOptions,
) => Promise<ExecResult>;

export interface ExecOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /** Aborting stops the tool (SIGTERM) and the call throws CancelledError. */
  readonly signal?: AbortSignal;
}

/** Signals that mean "the person stopped it" (Ctrl-C reaches the whole foreground group). */
const interrupts = new Set(["SIGINT", "SIGTERM", "SIGHUP"]);

/** The real Exec, on execa, loaded on first use: most invocations never spawn anything. */
export const execaExec: Exec = async (file, args, options) => {
  const { execa } = await import("execa");
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    all: true,
    reject: false,
    stdin: "ignore",
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (result.isCanceled || (result.signal !== undefined && interrupts.has(result.signal))) {
    throw new CancelledError(`\`${[file, ...args].join(" ")}\` was interrupted`);
  }
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
  options: ExecOptions,
): Promise<string> {
  const result = await exec(file, args, options);
  if (result.exitCode !== 0) {
    throw new StepError(
      `\`${[file, ...args].join(" ")}\` failed (exit ${result.exitCode}):\n${result.output.trim()}`,
    );
  }
  return result.output;
}
