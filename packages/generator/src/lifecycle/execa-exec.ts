import { CancelledError, StepError } from "../errors.js";
import type { Exec } from "./deps.js";

/** Signals that mean "the person stopped it" (Ctrl-C reaches the whole foreground group). */
const interrupts = new Set(["SIGINT", "SIGTERM", "SIGHUP"]);

/**
 * The Exec every caller uses unless it injects its own (the CLI's tools, the upgrade engine's
 * git): execa, loaded on first use, since most invocations never spawn anything.
 */
export const execaExec: Exec = async (file, args, options) => {
  const { execa } = await import("execa");
  // Bytes, untouched: `stdout` must be byte-exact (git's binary output); `output` is decoded
  // here, with the one final newline execa would strip from text.
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    all: true,
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const { onOutput } = options;
  if (onOutput) subprocess.all?.on("data", (chunk: Buffer) => onOutput(chunk.toString("utf8")));
  const result = await subprocess;
  if (result.isCanceled || (result.signal !== undefined && interrupts.has(result.signal))) {
    throw new CancelledError(`\`${[file, ...args].join(" ")}\` was interrupted`);
  }
  const text = (bytes: Uint8Array | undefined) =>
    Buffer.from(bytes ?? [])
      .toString("utf8")
      .replace(/\r?\n$/, "");
  const streams = { stdout: Buffer.from(result.stdout), stderr: text(result.stderr) };
  if (result.failed && result.exitCode === undefined) {
    // Not found, or killed: no exit code to report.
    const code = (result as { code?: string }).code;
    if (code === "ENOENT") throw new StepError(`\`${file}\` was not found on PATH`);
    return { exitCode: -1, output: text(result.all) || (result.message ?? ""), ...streams };
  }
  return { exitCode: result.exitCode ?? -1, output: text(result.all), ...streams };
};
