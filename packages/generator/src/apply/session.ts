import { BusyError } from "../errors.js";
import { readJournal, txnDirOf } from "./journal.js";
import { assertNotBusy, withRepoLock } from "./lock.js";
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

/**
 * How a dry run starts instead (it writes nothing, not even a lock): refused as busy when
 * another command holds the lock, as the real run would be, and refused alike while an
 * interrupted command's journal is pending — the tree is half-written then, and planning
 * against it would preview a diff the real run (which restores it first) never applies.
 */
export async function assertDryRunnable(root: string, command: string): Promise<void> {
  const stateDir = await stateDirFor(root);
  await assertNotBusy(stateDir);
  const txnDir = txnDirOf(stateDir);
  if ((await readJournal(txnDir)) !== null) {
    throw new BusyError(
      `an interrupted ds-service command left this repository half-written (its journal is ${txnDir}); nothing was written. Run \`ds-service check\` (or \`ds-service ${command}\` without --dry-run), which restores the files first, then dry-run again`,
    );
  }
}
