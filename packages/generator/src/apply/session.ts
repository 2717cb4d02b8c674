import { withRepoLock } from "./lock.js";
import { type RecoverOptions, recover } from "./recover.js";
import { stateDirFor } from "./state-dir.js";

/**
 * How every command that writes starts: take the repository's lock, then finish or restore
 * whatever an interrupted command left, so what `fn` reads and plans is a consistent tree.
 * `fn` gets the state directory (for `applyPlan`) and the number of files restored.
 */
export async function withRepository<T>(
  root: string,
  command: string,
  fn: (stateDir: string, recovered: number) => Promise<T>,
  options: RecoverOptions = {},
): Promise<T> {
  const stateDir = await stateDirFor(root);
  return withRepoLock(stateDir, command, async () =>
    fn(stateDir, await recover(stateDir, options)),
  );
}
