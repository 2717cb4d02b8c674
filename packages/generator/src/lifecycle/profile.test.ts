import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { datasetProfileSchema } from "../dataset/profile.js";
import { profilerSource } from "../dataset/profiler-source.js";
import { StepError, ValidationError } from "../errors.js";
import type { Exec, ExecResult } from "./deps.js";
import { pointSourceFromProject, profileData } from "./profile.js";

/**
 * Stands in for uv at the Exec boundary: records each call, checks the script it was given is
 * the template's profiler, and plays one scripted run per call — writing `--out` (a profile or
 * the profiler's `{"error": …}`) or nothing, then returning the run's exit code and output.
 */
function fakeUv(runs: ReadonlyArray<{ out?: unknown; result?: ExecResult; throws?: Error }>) {
  const calls: { args: readonly string[]; cwd: string; script: string }[] = [];
  const exec: Exec = async (file, args, options) => {
    expect(file).toBe("uv");
    const script = args[args.indexOf("python") + 1] ?? "";
    expect(await fs.readFile(script, "utf8")).toBe(profilerSource());
    calls.push({ args, cwd: options.cwd, script });
    const run = runs[calls.length - 1];
    if (!run) throw new Error(`unexpected run ${calls.length}`);
    if (run.throws) throw run.throws;
    const out = args[args.indexOf("--out") + 1] ?? "";
    if (run.out !== undefined) await fs.writeFile(out, JSON.stringify(run.out));
    return run.result ?? { exitCode: 0, output: "" };
  };
  return { exec, calls };
}

/** The error `promise` rejects with; a test fails if it resolves. */
const rejection = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as Error,
  );

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

describe("profileData", () => {
  it("refuses a missing file before running anything", async () => {
    const cwd = await testdir();
    const { exec, calls } = fakeUv([]);
    const error = await rejection(profileData(exec, { file: "no.csv", target: "y" }, cwd));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe("--data no.csv: no such file");
    expect(calls).toEqual([]);
  });

  it("runs the template's profiler offline with every request flag, and leaves nothing behind", async () => {
    const cwd = await testdir({ "data/train.csv": "id,x,y\n" });
    const profile = { source: { file: "x" }, target: { name: "y" } };
    const { exec, calls } = fakeUv([{ out: profile }]);
    const request = {
      file: "data/train.csv",
      target: "y",
      task: "binary",
      id: "id",
      time: "ts",
      protected: ["age", "sex"],
      exclude: ["note"],
    };
    expect(await profileData(exec, request, cwd)).toEqual(profile);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.args).toEqual([
      ...["run", "--no-project", "--quiet", "--python", "3.11"],
      ...["--with", "pandas>=3.0", "--with", "pyarrow>=18", "--offline", "python"],
      call?.script,
      path.join(cwd, "data/train.csv"),
      ...["--target", "y", "--out", path.join(path.dirname(call?.script ?? ""), "profile.json")],
      ...["--task", "binary", "--id", "id", "--time", "ts"],
      ...["--protected", "age,sex", "--exclude", "note"],
    ]);
    expect(call?.cwd).toBe(path.dirname(call?.script ?? ""));
    expect(await exists(call?.cwd ?? "")).toBe(false);
    expect(await fs.readdir(cwd)).toEqual(["data"]);
  });

  it("retries online when the offline run could not get the packages", async () => {
    const cwd = await testdir({ "d.csv": "x,y\n" });
    const { exec, calls } = fakeUv([
      { result: { exitCode: 1, output: "pandas not in cache" } },
      { out: { ok: true } },
    ]);
    expect(await profileData(exec, { file: "d.csv", target: "y" }, cwd)).toEqual({ ok: true });
    expect(calls.map((c) => c.args.includes("--offline"))).toEqual([true, false]);
    expect(calls[1]?.args).toEqual(calls[0]?.args.filter((a) => a !== "--offline"));
  });

  it("turns the profiler's own refusal into a ValidationError with its sentence", async () => {
    const cwd = await testdir({ "d.csv": "x,y\n" });
    const { exec } = fakeUv([
      { out: { error: "the target 'y' is constant" }, result: { exitCode: 2, output: "" } },
    ]);
    const error = await rejection(profileData(exec, { file: "d.csv", target: "y" }, cwd));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe("--data d.csv: the target 'y' is constant");
  });

  it("a crash is a StepError with the exit code and the tool's output", async () => {
    const cwd = await testdir({ "d.csv": "x,y\n" });
    const { exec } = fakeUv([
      { result: { exitCode: 1, output: "offline miss" } },
      { result: { exitCode: 3, output: "Traceback: boom\n" } },
    ]);
    const error = await rejection(profileData(exec, { file: "d.csv", target: "y" }, cwd));
    expect(error).toBeInstanceOf(StepError);
    expect(error.message).toBe("profiling d.csv failed (exit 3):\nTraceback: boom");
  });

  it("says uv is needed when it is not installed", async () => {
    const cwd = await testdir({ "d.csv": "x,y\n" });
    const { exec } = fakeUv([{ throws: new StepError("`uv` was not found on PATH") }]);
    const error = await rejection(profileData(exec, { file: "d.csv", target: "y" }, cwd));
    expect(error).toBeInstanceOf(StepError);
    expect(error.message).toBe(
      "profiling --data needs uv (pip install uv): `uv` was not found on PATH",
    );
  });

  it("with the real uv, profiles a CSV into a valid profile of the columns asked for", async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `r${i},${["red", "blue"][i % 2]},${i},${"ab"[i % 2]}`,
    );
    const cwd = await testdir({ "d.csv": ["id,colour,size,label", ...rows].join("\n") });
    const exec: Exec = (file, args, options) =>
      new Promise((resolve) => {
        execFile(file, args, { cwd: options.cwd }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          resolve({ exitCode: code, output: stdout + stderr });
        });
      });
    const raw = await profileData(exec, { file: "d.csv", target: "label", id: "id" }, cwd);
    const profile = datasetProfileSchema.parse(raw);
    expect(profile.target.name).toBe("label");
    expect(profile.id).toBe("id");
    expect(profile.features.map((f) => f.name)).toEqual(["colour", "size"]);
  });
});

describe("pointSourceFromProject", () => {
  it("records the data file relative to the project, with forward slashes", () => {
    const profile = { source: { file: "/abs/data/train.csv" } };
    pointSourceFromProject(
      profile,
      path.resolve("/work/data/train.csv"),
      path.resolve("/work/proj"),
    );
    expect(profile.source.file).toBe("../data/train.csv");
    const none = { source: null };
    pointSourceFromProject(none, "/work/data/train.csv", "/work/proj");
    expect(none).toEqual({ source: null });
  });
});
