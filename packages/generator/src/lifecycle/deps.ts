import { StepError } from "../errors.js";

/**
 * What the lifecycle needs from the world, injected so a caller (the CLI, a test, another tool)
 * decides how tools run and where messages go; the library never spawns or prints on its own.
 */
export interface ExecResult {
  readonly exitCode: number;
  /** stdout and stderr interleaved, as text: what a person would read. */
  readonly output: string;
  /**
   * stdout alone, byte for byte (`git cat-file --batch` is binary), and stderr alone. Optional
   * for a caller that reads only `output`; a caller that runs git through the Exec (upgrades,
   * @ds-service/codemods) needs both, and says so when they are missing.
   */
  readonly stdout?: Uint8Array;
  readonly stderr?: string;
}

/**
 * Runs an outside tool; never throws for a non-zero exit (the caller decides what it means).
 * A tool that is not installed throws StepError; one stopped by `signal` throws CancelledError.
 */
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
  /** Written to the tool's stdin, which is then closed; without it the tool gets no stdin. */
  readonly input?: string | Uint8Array;
  /**
   * The tool's output (stdout and stderr) as it comes, chunk by chunk, for live progress; the
   * result still carries all of it.
   */
  readonly onOutput?: (text: string) => void;
}

/** Where the lifecycle says what it is doing, one message a call. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Emphasis inside a message (bold on a terminal); the text itself where there is none. */
  bold(text: string): string;
  /**
   * A long step starting, shown live where the logger can (a spinner with the elapsed time and
   * the tool's latest line, on a terminal). Without it, the step is one line, then its time.
   */
  step?(title: string): StepProgress;
}

/** A step in progress, as `Logger.step` shows it. */
export interface StepProgress {
  /** A chunk of the running tool's output. */
  output(text: string): void;
  done(seconds: number): void;
  failed(): void;
}

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
