import fs from "node:fs/promises";
import path from "node:path";
import { type Answers, parseAnswers, ValidationError } from "@ds-service/generator";
import type { Prompter } from "../prompts.js";

export interface NewFlags {
  readonly name?: string;
  readonly task?: string;
  readonly ci?: string;
  readonly answers?: string;
  readonly yes?: boolean;
  readonly install: boolean;
  readonly git: boolean;
  readonly cwd?: string;
}

/** Everything `new` needs, normalized once; nothing after this reads argv or prompts. */
export interface ResolvedNewOptions {
  readonly targetDir: string;
  readonly answers: Answers;
  readonly install: boolean;
  readonly git: boolean;
}

/**
 * Flags win over the answers file; prompts fill only what neither gave, and only when
 * `prompter` is set (a person is there and `--yes` was not passed). Without prompts the
 * defaults apply: the name is the target directory's basename, the task is classification.
 */
export async function resolveNewOptions(
  dir: string | undefined,
  flags: NewFlags,
  cwd: string,
  prompter: Prompter | undefined,
): Promise<ResolvedNewOptions> {
  const base = path.resolve(cwd, flags.cwd ?? ".");
  const fromFile = flags.answers ? await readAnswersFile(path.resolve(base, flags.answers)) : {};
  const raw: Record<string, unknown> = { ...fromFile };
  if (flags.name !== undefined) raw.name = flags.name;
  if (flags.task !== undefined) raw.task = flags.task;
  if (flags.ci !== undefined) raw.ci = flags.ci;

  const directory =
    dir ??
    (typeof raw.name === "string" ? raw.name : undefined) ??
    (prompter ? await prompter.directory() : undefined);
  if (directory === undefined || directory.trim() === "") {
    throw new ValidationError(
      "missing the project directory: ds-service new <dir> [--name <name>]",
    );
  }
  const targetDir = path.resolve(base, directory);
  const nameIsExplicit = raw.name !== undefined;
  if (!nameIsExplicit) {
    raw.name = prompter ? await prompter.name(path.basename(targetDir)) : path.basename(targetDir);
  }
  if (raw.task === undefined && prompter) raw.task = await prompter.task();

  try {
    return { targetDir, answers: parseAnswers(raw), install: flags.install, git: flags.git };
  } catch (error) {
    if (error instanceof ValidationError && !nameIsExplicit) {
      throw new ValidationError(
        `${error.message}\n(the name defaults to the directory's name; pass --name <name> to choose another)`,
      );
    }
    throw error;
  }
}

async function readAnswersFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    throw new ValidationError(`cannot read --answers ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`--answers ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`--answers ${file} must hold a JSON object of answers`);
  }
  return parsed as Record<string, unknown>;
}
