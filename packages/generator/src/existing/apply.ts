import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { ValidationError } from "../errors.js";
import { assertInside } from "../paths.js";
import type { Plan, PlannedFile } from "../plan.js";

export type ChangeKind = "create" | "update" | "unchanged";

/** One planned file against what the repository has now. */
export interface Change {
  readonly file: PlannedFile;
  readonly kind: ChangeKind;
  /** A unified diff from the current file to the planned one (empty unless "update"). */
  readonly diff: string;
}

/** Compares a plan with the repository; reads only. */
export async function compareWithDisk(plan: Plan, cwd: string): Promise<Change[]> {
  const changes: Change[] = [];
  for (const file of plan.values()) {
    const abs = assertInside(cwd, file.path);
    const current = await fs.readFile(abs).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (current === undefined) changes.push({ file, kind: "create", diff: "" });
    else if (current.equals(file.content)) changes.push({ file, kind: "unchanged", diff: "" });
    else {
      const diff = createTwoFilesPatch(
        `a/${file.path}`,
        `b/${file.path}`,
        current.toString("utf8"),
        file.content.toString("utf8"),
        undefined,
        undefined,
        { context: 3 },
      );
      changes.push({ file, kind: "update", diff });
    }
  }
  return changes;
}

/** Refuses to overwrite an existing, different file unless forced; lists them with their diffs. */
export function assertNoOverwrite(
  changes: readonly Change[],
  allowed: ReadonlySet<string> = new Set(),
) {
  const blocked = changes.filter((c) => c.kind === "update" && !allowed.has(c.file.path));
  if (blocked.length === 0) return;
  throw new ValidationError(
    `${blocked.length} existing file(s) differ from what would be written; nothing was written. ` +
      `Review the diff and re-run with --force to overwrite:\n\n${blocked.map((c) => c.diff).join("\n")}`,
  );
}

/**
 * Writes the changed files into an existing repository as one unit: every new content is staged
 * first, then moved into place; if any step fails, files already replaced are restored and
 * files already created are removed.
 */
export async function applyChanges(changes: readonly Change[], cwd: string): Promise<void> {
  const todo = changes.filter((c) => c.kind !== "unchanged");
  if (todo.length === 0) return;
  const staging = path.join(cwd, `.ds-service-staging-${randomBytes(4).toString("hex")}`);
  const done: { abs: string; backup?: string }[] = [];
  const createdDirs: string[] = [];
  try {
    await fs.mkdir(staging);
    for (const [i, change] of todo.entries()) {
      await fs.writeFile(path.join(staging, `${i}.new`), change.file.content, { flag: "wx" });
    }
    for (const [i, change] of todo.entries()) {
      const abs = assertInside(cwd, change.file.path);
      const made = await fs.mkdir(path.dirname(abs), { recursive: true });
      if (made) createdDirs.push(made);
      let backup: string | undefined;
      if (change.kind === "update") {
        backup = path.join(staging, `${i}.old`);
        await fs.copyFile(abs, backup);
      }
      await fs.rename(path.join(staging, `${i}.new`), abs);
      done.push(backup ? { abs, backup } : { abs });
    }
  } catch (error) {
    for (const entry of done.reverse()) {
      if (entry.backup) await fs.copyFile(entry.backup, entry.abs).catch(() => undefined);
      else await fs.rm(entry.abs, { force: true }).catch(() => undefined);
    }
    for (const dir of createdDirs.reverse()) {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
    throw error;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
