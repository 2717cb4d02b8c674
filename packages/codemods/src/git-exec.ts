import { type Exec, execaExec, type Logger, StepError } from "@ds-service/generator";

/**
 * What an upgrade, a fleet upgrade and a check take from the world, as `createProject` takes
 * it: the caller (the CLI, a test, another tool) decides how git runs and where messages go.
 * Every git call of this library goes through `exec`.
 */
export interface UpgradeDeps {
  /**
   * Runs git; by default on execa. It must give `stdout` (bytes) and `stderr` apart from
   * `output`, and pass `input` to git's stdin (`ExecResult`, `ExecOptions`).
   */
  readonly exec?: Exec;
  /** What the library did beyond its result (a stale git lock it removed). Silent by default. */
  readonly log?: Logger;
  /** Aborting cancels, as the options' `signal` does (which wins when both are given). */
  readonly signal?: AbortSignal;
}

/** The Exec used when none is injected: the lifecycle's own, on execa (stdout as bytes). */
export const execaGit: Exec = execaExec;

export const silentLog: Logger = {
  info: () => undefined,
  warn: () => undefined,
  bold: (text) => text,
};

/** One git run: stdout byte for byte, and as text without its final newline. */
export interface GitOutput {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly text: string;
  readonly stderr: string;
}

/** Runs git in `dir` through the injected Exec; a non-zero exit is returned, not thrown. */
export async function git(
  deps: UpgradeDeps,
  dir: string,
  args: readonly string[],
  options: {
    readonly input?: string | Uint8Array;
    readonly env?: Record<string, string>;
    readonly signal?: AbortSignal;
  } = {},
): Promise<GitOutput> {
  const result = await (deps.exec ?? execaGit)("git", args, { cwd: dir, ...options });
  if (result.stdout === undefined || result.stderr === undefined) {
    throw new StepError(
      `the exec given to the upgrade returned no separate stdout and stderr for \`git ${args.join(" ")}\`: git's output cannot be read from \`output\` alone`,
    );
  }
  const stdout = Buffer.from(result.stdout);
  return {
    exitCode: result.exitCode,
    stdout,
    text: stdout.toString("utf8").replace(/\r?\n$/, ""),
    stderr: result.stderr.replace(/\r?\n$/, ""),
  };
}
