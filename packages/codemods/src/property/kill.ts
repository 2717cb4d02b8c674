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
