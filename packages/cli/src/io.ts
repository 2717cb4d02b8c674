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

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Emphasis that respects NO_COLOR and non-terminal output. */
  bold(text: string): string;
}

export function createLogger(io: Io): Logger {
  const color = io.stderr.isTTY === true && !io.env.NO_COLOR;
  const paint = (code: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const yellow = paint(33);
  const red = paint(31);
  return {
    info: (message) => void io.stdout.write(`${message}\n`),
    warn: (message) => void io.stderr.write(`${yellow("warning:")} ${message}\n`),
    error: (message) => void io.stderr.write(`${red("error:")} ${message}\n`),
    bold: paint(1),
  };
}
