import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { profilerSource } from "../dataset/profiler-source.js";
import { StepError, ValidationError } from "../errors.js";
import type { Exec } from "./deps.js";

/**
 * What to learn from the data file: for `new --data`, from the flags or the answers file; for
 * `data refresh`, the columns the project already names. `file` is relative to the `cwd` given.
 */
export interface DataRequest {
  readonly file: string;
  readonly target: string;
  readonly task?: string;
  readonly id?: string;
  readonly time?: string;
  readonly protected?: readonly string[];
  readonly exclude?: readonly string[];
}

// The profiler is the template's own `io/profile.py`, run before the project exists with only
// pandas and pyarrow (pinned to what the template depends on), so CSV and Parquet are read
// the way the project will read them. uv provides the interpreter and the packages.
const uvRun = [
  "run",
  "--no-project",
  "--quiet",
  "--python",
  "3.11",
  "--with",
  "pandas>=3.0",
  "--with",
  "pyarrow>=18",
];

async function runUv(exec: Exec, args: readonly string[], cwd: string) {
  return exec("uv", args, { cwd }).catch((error: unknown) => {
    if (error instanceof StepError) {
      throw new StepError(`profiling --data needs uv (pip install uv): ${error.message}`);
    }
    throw error;
  });
}

/**
 * Profiles the data file into the JSON document the answers carry. Bad data is a
 * ValidationError (exit 2) with the profiler's own sentence; nothing is written anywhere.
 */
export async function profileData(exec: Exec, request: DataRequest, cwd: string): Promise<unknown> {
  const file = path.resolve(cwd, request.file);
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new ValidationError(`--data ${request.file}: no such file`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-profile-"));
  try {
    const script = path.join(work, "profile.py");
    const out = path.join(work, "profile.json");
    await fs.writeFile(script, profilerSource());
    const args = ["python", script, file, "--target", request.target, "--out", out];
    if (request.task) args.push("--task", request.task);
    if (request.id) args.push("--id", request.id);
    if (request.time) args.push("--time", request.time);
    if (request.protected?.length) args.push("--protected", request.protected.join(","));
    if (request.exclude?.length) args.push("--exclude", request.exclude.join(","));
    // Offline first: with pandas in uv's cache, profiling needs no network at all.
    let result = await runUv(exec, [...uvRun, "--offline", ...args], work);
    const written = async () => JSON.parse(await fs.readFile(out, "utf8").catch(() => "null"));
    let profile = await written();
    if (profile === null) {
      result = await runUv(exec, [...uvRun, ...args], work);
      profile = await written();
    }
    if (profile !== null && typeof profile.error === "string") {
      throw new ValidationError(`--data ${request.file}: ${profile.error}`);
    }
    if (result.exitCode !== 0 || profile === null) {
      throw new StepError(
        `profiling ${request.file} failed (exit ${result.exitCode}):\n${result.output.trim()}`,
      );
    }
    return profile;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** The project reads the file from where it is, by a path relative to the project. */
export function pointSourceFromProject(profile: unknown, file: string, projectDir: string): void {
  const source = (profile as { source?: { file?: string } | null }).source;
  if (source) source.file = path.relative(projectDir, file).split(path.sep).join("/");
}
