import fs from "node:fs/promises";
import { ValidationError } from "../errors.js";
import { assertInside } from "../paths.js";
import type { Plan, PlannedFile } from "../plan.js";
import { fileDiff } from "../unified-diff.js";
import { isCiFile, workflowLosses } from "./workflow-losses.js";

export type ChangeKind = "create" | "update" | "unchanged";

/** One planned file against what the repository has now. */
export interface Change {
  readonly file: PlannedFile;
  readonly kind: ChangeKind;
  /** The unified diff from the file on disk (or /dev/null) to the planned one; "" if unchanged. */
  readonly diff: string;
  /** A CI file being replaced: what it does that the planned one does not (workflow-losses). */
  readonly losses?: readonly string[];
}

/** Compares a plan with the repository; reads only. */
export async function compareWithDisk(plan: Plan, cwd: string): Promise<Change[]> {
  const changes: Change[] = [];
  for (const file of plan.values()) {
    const abs = assertInside(cwd, file.path);
    const current = await fs.readFile(abs).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      // A directory where the file goes, or a file where its folder goes: no write can fix it,
      // so a dry run refuses it as the real run would.
      if (error.code === "EISDIR" || error.code === "ENOTDIR") {
        throw new ValidationError(
          `${file.path} cannot be written: ${error.code === "EISDIR" ? "a directory is in its place" : "a file is in the place of one of its folders"}; move it and re-run`,
        );
      }
      throw error;
    });
    const diff = fileDiff({ path: file.path, before: current ?? null, after: file.content });
    if (current === undefined) changes.push({ file, kind: "create", diff });
    else if (current.equals(file.content)) changes.push({ file, kind: "unchanged", diff: "" });
    else {
      const losses = isCiFile(file.path)
        ? workflowLosses(current.toString("utf8"), file.content.toString("utf8"))
        : [];
      changes.push({ file, kind: "update", diff, ...(losses.length > 0 ? { losses } : {}) });
    }
  }
  return changes;
}

/**
 * Refuses to overwrite an existing, different file unless forced; lists them with their diffs.
 * `besideWrites`: what `--beside` would write instead (unset when it is in use already); when
 * none of the refused files is among them, the message offers it, as it keeps every one.
 */
export function assertNoOverwrite(
  changes: readonly Change[],
  allowed: ReadonlySet<string> = new Set(),
  besideWrites?: ReadonlySet<string>,
) {
  const blocked = changes.filter((c) => c.kind === "update" && !allowed.has(c.file.path));
  if (blocked.length === 0) return;
  const losses = blocked.flatMap((c) => describeLosses(c));
  const beside =
    besideWrites !== undefined && blocked.every((c) => !besideWrites.has(c.file.path))
      ? ", or with --beside to keep yours and add the pack's files beside them"
      : "";
  throw new ValidationError(
    `${blocked.length} existing file(s) differ from what would be written; nothing was written. ` +
      `Review the diff${losses.length > 0 ? " and what the replaced CI would lose" : ""} and re-run with --force to overwrite${beside}:\n\n${blocked.map((c) => c.diff).join("\n")}` +
      (losses.length > 0 ? `\n${losses.join("\n")}` : ""),
  );
}

/** A replaced CI file's losses as printable lines: the file, then one indented line each. */
export function describeLosses(change: Change): string[] {
  if (!change.losses?.length) return [];
  return [
    `${change.file.path}: replacing it drops what the pack does not do:`,
    ...change.losses.map((loss) => `  - ${loss}`),
  ];
}
