// A simulated kill for upgrade.property.test.ts: every step that changes the disk or the
// repository (a mutating fs/promises call, a git process) passes through `step`. Armed with
// `killAt = k`, the k-th step and every one after it fail — the process is dead, so not even
// its own rollback reaches the disk — which is what a SIGKILL between two steps leaves behind.

export class Killed extends Error {}

interface KillState {
  armed: boolean;
  steps: number;
  killAt: number;
  dead: boolean;
}

const state: KillState = { armed: false, steps: 0, killAt: Number.POSITIVE_INFINITY, dead: false };

/** Counts steps (and kills at `killAt`) until `disarm`; `Infinity` only counts. */
export function arm(killAt = Number.POSITIVE_INFINITY): void {
  Object.assign(state, { armed: true, steps: 0, killAt, dead: false });
}

/** Stops counting; returns how many steps ran. */
export function disarm(): number {
  state.armed = false;
  return state.steps;
}

/**
 * Throws when the process is dead by this step. At the kill itself `torn` runs first: what the
 * call had done to the disk when the process died (half a file written, say).
 */
export function step(what: string, torn?: () => void): void {
  if (!state.armed) return;
  if (state.dead) throw new Killed(`dead before ${what}`);
  state.steps++;
  if (state.steps >= state.killAt) {
    state.dead = true;
    torn?.();
    throw new Killed(`killed at step ${state.steps}: ${what}`);
  }
}

/**
 * `fn` with a step before each call; a dead process's call rejects without running, and the
 * call the kill lands on leaves what `torn` makes of its arguments.
 */
export function guarded<A extends unknown[], R>(
  what: string,
  fn: (...args: A) => R,
  torn?: (...args: A) => void,
) {
  return (...args: A): R => {
    try {
      step(`${what} ${JSON.stringify(args[0])?.slice(0, 80)}`, torn && (() => torn(...args)));
    } catch (error) {
      return Promise.reject(error) as R;
    }
    return fn(...args);
  };
}

/** The git subcommands that hold the index lock while they work. */
const indexTakers = new Set(["add", "commit", "switch", "checkout", "reset", "read-tree", "rm"]);

/**
 * The lock files (relative to `.git`) a git running `args` holds while it works, so leaves when
 * SIGKILLed: the index's, HEAD's, and each ref's it moves (`update-ref`, from its arguments or
 * its `--stdin` commands; `fast-import`, from the refs its stream writes).
 */
export function leftLocks(args: readonly string[], input?: string | Uint8Array): string[] {
  const [command, ...rest] = args;
  const text = input === undefined ? "" : Buffer.from(input).toString("utf8");
  const operands = rest.filter((arg) => !arg.startsWith("-"));
  const locks = new Set<string>();
  if (command !== undefined && indexTakers.has(command)) locks.add("index.lock");
  if (command === "commit" || command === "switch" || command === "checkout")
    locks.add("HEAD.lock");
  if (command === "update-ref") {
    const refs = rest.includes("--stdin")
      ? [...text.matchAll(/^(?:update|create|delete|verify) (\S+)/gm)].map((m) => m[1] ?? "")
      : operands.slice(0, 1);
    for (const ref of refs) locks.add(`${ref}.lock`);
  }
  if (command === "fast-import") {
    for (const m of text.matchAll(/^(?:commit|reset) (refs\/\S+)/gm)) locks.add(`${m[1]}.lock`);
  }
  return [...locks];
}
