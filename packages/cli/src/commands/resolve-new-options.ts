import path from "node:path";
import {
  type Answers,
  type DataRequest,
  parseAnswers,
  pointSourceFromProject,
  profileData,
  ValidationError,
  withUnseenOther,
} from "@ds-service/generator";
import { readAnswersFile } from "../answers-file.js";
import { commaList } from "../comma-list.js";
import type { Exec } from "../exec.js";
import type { Prompter } from "../prompts.js";

export interface NewFlags {
  readonly name?: string;
  readonly task?: string;
  readonly ci?: string;
  readonly answers?: string;
  readonly data?: string;
  readonly target?: string;
  readonly id?: string;
  readonly time?: string;
  readonly protected?: string;
  readonly exclude?: string;
  readonly unseenOther?: string;
  readonly yes?: boolean;
  readonly install: boolean;
  readonly git: boolean;
  readonly cwd?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/** Everything `new` needs, normalized once; nothing after this reads argv or prompts. */
export interface ResolvedNewOptions {
  readonly targetDir: string;
  readonly answers: Answers;
  readonly install: boolean;
  readonly git: boolean;
  /** List what would be created and run; create nothing. */
  readonly dryRun: boolean;
  /** The result (or the error) as one JSON document on stdout. */
  readonly json: boolean;
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
  exec: Exec,
): Promise<ResolvedNewOptions> {
  const base = path.resolve(cwd, flags.cwd ?? ".");
  const fromFile = flags.answers ? await readAnswersFile(path.resolve(base, flags.answers)) : {};
  const raw: Record<string, unknown> = { ...fromFile };
  if (flags.name !== undefined) raw.name = flags.name;
  if (flags.task !== undefined) raw.task = flags.task;
  if (flags.ci !== undefined) raw.ci = flags.ci;
  let data = dataRequest(raw, flags);
  if (!data && prompter && raw.dataset === undefined && raw.task === undefined) {
    const asked = await prompter.data();
    if (asked) data = { ...asked, protected: [], exclude: [], unseenOther: [] };
  }
  if (data) {
    raw.dataset = await profileData(exec, data, base);
    if (raw.task === undefined || raw.task === "auto") {
      raw.task = (raw.dataset as { target?: { task?: unknown } }).target?.task;
    }
  } else if (raw.task === "auto") {
    raw.task = undefined;
  }

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
  if (data) pointSourceFromProject(raw.dataset, path.resolve(base, data.file), targetDir);
  const nameIsExplicit = raw.name !== undefined;
  if (!nameIsExplicit) {
    raw.name = prompter ? await prompter.name(path.basename(targetDir)) : path.basename(targetDir);
  }
  if (raw.task === undefined && prompter && !data) raw.task = await prompter.task();

  const answers = parseNamedAnswers(raw, nameIsExplicit);
  const unseenOther = data?.unseenOther ?? [];
  return {
    targetDir,
    answers:
      answers.dataset && unseenOther.length > 0
        ? { ...answers, dataset: withUnseenOther(answers.dataset, unseenOther) }
        : answers,
    install: flags.install,
    git: flags.git,
    dryRun: flags.dryRun === true,
    json: flags.json === true,
  };
}

/** `parseAnswers`, saying where a defaulted name came from when it is the name that fails. */
function parseNamedAnswers(raw: Record<string, unknown>, nameIsExplicit: boolean): Answers {
  try {
    return parseAnswers(raw);
  } catch (error) {
    if (error instanceof ValidationError && !nameIsExplicit) {
      throw new ValidationError(
        `${error.message}\n(the name defaults to the directory's name; pass --name <name> to choose another)`,
      );
    }
    throw error;
  }
}

const dataKeys = ["data", "target", "id", "time", "protected", "exclude", "unseenOther"] as const;

/**
 * `--data` and its companions, from flags or the answers file (flags win). They are inputs of
 * the profiler, not answers: they are taken out of `raw`, and the profile goes in instead.
 */
function dataRequest(
  raw: Record<string, unknown>,
  flags: NewFlags,
): (DataRequest & { readonly unseenOther: readonly string[] }) | undefined {
  const given: Record<string, unknown> = {};
  for (const key of dataKeys) {
    given[key] = flags[key] ?? raw[key];
    delete raw[key];
  }
  const list = (value: unknown, key: string): string[] => {
    if (value === undefined) return [];
    if (typeof value === "string") return commaList(value);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
    throw new ValidationError(`${key} must be a list of column names`);
  };
  const text = (value: unknown, key: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      throw new ValidationError(`${key} must be a column name`);
    }
    return value;
  };
  const file = text(given.data, "--data");
  if (file === undefined) {
    const stray = dataKeys.find((key) => given[key] !== undefined);
    if (stray) throw new ValidationError(`--${flagName(stray)} needs --data <file>`);
    return undefined;
  }
  const target = text(given.target, "--target");
  if (target === undefined) throw new ValidationError("--data needs --target <column>");
  const task = typeof raw.task === "string" && raw.task !== "classification" ? raw.task : undefined;
  return {
    file,
    target,
    ...(task ? { task } : {}),
    ...(text(given.id, "--id") ? { id: given.id as string } : {}),
    ...(text(given.time, "--time") ? { time: given.time as string } : {}),
    protected: list(given.protected, "--protected"),
    exclude: list(given.exclude, "--exclude"),
    unseenOther: list(given.unseenOther, "--unseen-other"),
  };
}

/** `unseenOther` → `unseen-other`: the flag a key of the answers file stands for. */
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
