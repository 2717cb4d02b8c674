import { randomBytes } from "node:crypto";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { CancelledError, ValidationError } from "./errors.js";
import { assertInside } from "./paths.js";
import type { Plan } from "./plan.js";

/** Entries that do not make a target "non-empty": `git init` before scaffolding is common. */
const ignorableEntries = new Set([".git"]);

export interface WriteOptions {
  /** Aborting stops the write and removes everything written so far. */
  readonly signal?: AbortSignal;
}

/**
 * Writes the plan into a staging directory next to the target (same file system, so the final
 * rename cannot fail with EXDEV) and renames it into place. On failure or abort, everything this
 * call created is removed and nothing that existed before is touched.
 */
export async function writePlan(plan: Plan, targetDir: string, options: WriteOptions = {}) {
  const target = path.resolve(targetDir);
  const existing = await inspectTarget(target);
  // mkdir -p returns the top-most directory it created: on failure we remove exactly that.
  const createdParent = await fs
    .mkdir(path.dirname(target), { recursive: true })
    .catch((error: unknown) => {
      throw unwritable(path.dirname(target), error);
    });
  const staging = path.join(
    path.dirname(target),
    `.${path.basename(target)}.ds-service-${randomBytes(4).toString("hex")}`,
  );
  try {
    await fs.mkdir(staging).catch((error: unknown) => {
      throw unwritable(path.dirname(target), error);
    });
    // Synchronous writes into the private staging directory: ~150 small files cost a few
    // milliseconds this way, against ~20 ms of thread-pool round trips with fs/promises. A
    // signal arriving meanwhile is seen by the check before the rename, so Ctrl-C still leaves
    // nothing behind.
    const made = new Set<string>();
    for (const file of plan.values()) {
      throwIfAborted(options.signal);
      const dest = assertInside(staging, file.path);
      const dir = path.dirname(dest);
      if (!made.has(dir)) {
        fsSync.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      fsSync.writeFileSync(dest, file.content, { flag: "wx" });
    }
    throwIfAborted(options.signal);
    if (existing === "absent") await fs.rename(staging, target);
    else await moveEntriesInto(staging, target);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    if (createdParent) await fs.rm(createdParent, { recursive: true, force: true });
    throw error;
  }
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
export async function inspectTarget(target: string): Promise<"absent" | "empty"> {
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
  const entries = (await fs.readdir(target)).filter((e) => !ignorableEntries.has(e));
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? ", …" : "");
    throw new ValidationError(
      `${target} is not empty (${shown}); choose an empty or new directory — nothing was written`,
    );
  }
  return "empty";
}

/** Moves staged top-level entries into an existing empty target; undoes the moves on failure. */
async function moveEntriesInto(staging: string, target: string): Promise<void> {
  const moved: string[] = [];
  try {
    for (const entry of await fs.readdir(staging)) {
      await fs.rename(path.join(staging, entry), path.join(target, entry));
      moved.push(entry);
    }
    await fs.rmdir(staging);
  } catch (error) {
    for (const entry of moved.reverse()) {
      await fs.rename(path.join(target, entry), path.join(staging, entry)).catch(() => undefined);
    }
    throw error;
  }
}
