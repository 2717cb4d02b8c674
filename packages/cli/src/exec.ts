import { CancelledError, type Exec, StepError } from "@ds-service/generator";

// The lifecycle defines what running a tool means; this is its implementation on execa.
export { type Exec, type ExecOptions, type ExecResult, mustRun } from "@ds-service/generator";

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
