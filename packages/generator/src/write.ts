import fs from "node:fs/promises";
import path from "node:path";
import { applyPlan, stateDirFor, withRepository } from "./apply/index.js";
import { txnDirOf } from "./apply/journal.js";
import { BusyError, CancelledError, DsServiceError, ValidationError } from "./errors.js";
import type { Plan } from "./plan.js";

/** Entries that do not make a target "non-empty": `git init` before scaffolding is common. */
const ignorableEntries = new Set([".git"]);

export interface WriteOptions {
  /** Aborting stops the write and removes everything written so far. */
  readonly signal?: AbortSignal;
}

/**
 * Writes a new project into an absent or empty target through the one journaled applier
 * (`applyPlan`), under the target repository's lock. On failure or abort every file written is
 * removed again, and so is the target if this call created it; nothing that existed before is
 * touched. A kill is undone by the next `new` at the same target (see `recoverTarget`).
 */
export async function writePlan(plan: Plan, targetDir: string, options: WriteOptions = {}) {
  const target = path.resolve(targetDir);
  await recoverTarget(target);
  const existing = await inspectTarget(target);
  // mkdir -p returns the top-most directory it created: on failure we remove exactly that. The
  // target itself is made without -p: Node's recursive mkdir loops forever under /proc.
  const createdParent = await fs
    .mkdir(path.dirname(target), { recursive: true })
    .catch((error: unknown) => {
      throw unwritable(path.dirname(target), error);
    });
  let created = createdParent;
  if (existing === "absent") {
    await fs.mkdir(target).catch(async (error: unknown) => {
      if (createdParent) await fs.rm(createdParent, { recursive: true, force: true });
      throw unwritable(path.dirname(target), error);
    });
    created ??= target;
  }
  try {
    await withRepository(target, "new", async (stateDir) => {
      // Again under the lock: another `new` may have filled the target meanwhile.
      await inspectTarget(
        target,
        path.dirname(stateDir) === target ? [path.basename(stateDir)] : [],
      );
      throwIfAborted(options.signal);
      // An executable template file (a script) is written with its mode; others get the default.
      const ops = [...plan.values()].map((file) => ({
        path: file.path,
        content: file.content,
        ...(file.mode === undefined ? {} : { mode: file.mode }),
      }));
      await applyPlan(target, ops, {
        stateDir,
        synchronous: true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    });
  } catch (error) {
    // Busy: the target is another `new`'s to finish, even if this call created it.
    if (created && !(error instanceof BusyError)) {
      await fs.rm(created, { recursive: true, force: true });
    }
    throw unwritableTarget(target, error);
  }
}

/**
 * Undoes a `new` killed while writing into `target` (its journal is in the target's state
 * directory), so the target is as empty as it was and can be checked and written again.
 */
export async function recoverTarget(target: string): Promise<void> {
  const resolved = path.resolve(target);
  const pending = await fs.stat(txnDirOf(await stateDirFor(resolved))).catch(() => null);
  if (pending) await withRepository(resolved, "new", async () => undefined);
}

/** The target's own directory refusing writes is the user's choice of target, not our bug. */
function unwritableTarget(target: string, error: unknown): unknown {
  return error instanceof DsServiceError ? error : unwritable(path.dirname(target), error);
}

/** A parent we cannot create or write into is the user's choice of target, not our bug. */
function unwritable(dir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ["EACCES", "EPERM", "EROFS", "ENOENT", "ENOTDIR", "EEXIST"].includes(code)) {
    return new ValidationError(
      `cannot create the project under ${dir} (${code}: it is not a writable directory); choose another target — nothing was written`,
    );
  }
  return error;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError("cancelled: nothing was written");
}

/** "absent" or "empty" (maybe holding only `.git`); anything else is refused. */
export async function inspectTarget(
  target: string,
  alsoIgnored: readonly string[] = [],
): Promise<"absent" | "empty"> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "absent";
    if (code === "ENOTDIR") {
      throw new ValidationError(
        `${target} is not a possible directory: a component of its parent path is a file; choose another target`,
      );
    }
    throw error;
  }
  if (!stat.isDirectory()) {
    throw new ValidationError(`${target} exists and is not a directory; choose another target`);
  }
  const entries = (await fs.readdir(target)).filter(
    (e) => !ignorableEntries.has(e) && !alsoIgnored.includes(e),
  );
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", …" : "");
    throw new ValidationError(
      `${target} is not empty (${shown}); choose an empty or new directory — nothing was written`,
    );
  }
  return "empty";
}
