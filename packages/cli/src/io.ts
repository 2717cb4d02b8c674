import type { Logger as LifecycleLogger } from "@ds-service/generator";

/** The side effects a command may have, injected so tests drive them without mocking modules. */
export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdinIsTTY: boolean;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
  };
}

/** Prompts only when a person is there: both ends are terminals and this is not CI. */
export function isInteractive(io: Io): boolean {
  const ci = io.env.CI;
  return (
    io.stdinIsTTY &&
    io.stdout.isTTY === true &&
    (ci === undefined || ci === "" || ci === "0" || ci === "false")
  );
}

/** The lifecycle's logger, and errors; bold() colours only when stdout is a terminal (or FORCE_COLOR). */
export interface Logger extends LifecycleLogger {
  error(message: string): void;
}

/**
 * Colour for one stream: only a terminal gets escape codes, unless FORCE_COLOR asks for them;
 * NO_COLOR (any non-empty value) always wins. https://no-color.org, https://force-color.org
 */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  return stream.isTTY === true;
}

export function createLogger(io: Io): Logger {
  const painter = (color: boolean) => (code: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[0m` : text;
  // bold() is for info messages, which go to stdout; warnings and errors go to stderr.
  const out = painter(useColor(io.stdout, io.env));
  const err = painter(useColor(io.stderr, io.env));
  const yellow = err(33);
  const red = err(31);
  return {
    info: (message) => void io.stdout.write(`${message}\n`),
    warn: (message) => void io.stderr.write(`${yellow("warning:")} ${message}\n`),
    error: (message) => void io.stderr.write(`${red("error:")} ${message}\n`),
    bold: out(1),
  };
}

/**
 * Errors a command already put in its own `--json` document (with the result they belong to):
 * the CLI's edge prints them as text only, so stdout holds one document.
 */
export const reportedAsJson = new WeakSet<Error>();
