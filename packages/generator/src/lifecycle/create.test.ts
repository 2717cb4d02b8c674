import fs from "node:fs/promises";
import path from "node:path";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { CancelledError, exitCodes, StepError } from "../errors.js";
import { parseAnswers } from "../generate.js";
import { type Manifest, manifestPath, sha256 } from "../manifest/index.js";
import { serviceTemplateSource } from "../sources.js";
import { createProject } from "./create.js";
import type { Exec, ExecOptions, Logger } from "./deps.js";

const answers = parseAnswers({ name: "churn-model" });

/** Records every call as "file args…"; `reply` scripts the answers (all succeed by default). */
function fakeExec(reply?: (file: string, args: readonly string[], o: ExecOptions) => unknown) {
  const calls: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const envs: (Record<string, string> | undefined)[] = [];
  const exec: Exec = async (file, args, options) => {
    calls.push(`${file} ${args.join(" ")}`.replace(/ -m .*/, ""));
    signals.push(options.signal);
    envs.push(options.env);
    const scripted = await reply?.(file, args, options);
    if (scripted) return scripted as { exitCode: number; output: string };
    if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
    return { exitCode: 0, output: args[0] === "config" ? "me@example.com" : "" };
  };
  return { exec, calls, signals, envs };
}

function fakeLog() {
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => void lines.push(m),
    warn: (m) => void lines.push(`warning: ${m}`),
    bold: (t) => t,
  };
  return { log, lines };
}

const gitCalls = [
  "git rev-parse --show-toplevel",
  "git init --quiet --initial-branch=main",
  "git config user.email",
  "git add --all -- . :(exclude).ds-service/setup-pending.json",
  "git commit --quiet --no-verify",
  "git update-ref refs/ds-service/base HEAD",
  `git update-ref refs/ds-service/bases/${serviceTemplateSource.packageVersion} HEAD`,
];

describe("createProject", () => {
  it("writes the plan and a manifest whose hashes match the files on disk", async () => {
    const root = await testdir();
    const target = path.join(root, "churn-model");
    const result = await createProject({ targetDir: target, answers });
    const manifest: Manifest = JSON.parse(
      await fs.readFile(path.join(target, manifestPath), "utf8"),
    );
    const onDisk = (await listTree(target)).filter((p) => p !== manifestPath);
    expect(Object.keys(manifest.files).sort()).toEqual(onDisk);
    expect(result.files).toEqual(await listTree(target));
    expect(result.steps).toEqual([]);
    for (const [rel, entry] of Object.entries(manifest.files)) {
      expect(sha256(await fs.readFile(path.join(target, rel))), rel).toBe(entry.sha256);
    }
    expect(manifest.files[".github/workflows/ci.yml"]?.ownership).toBe("managed");
    expect(manifest.files["pyproject.toml"]?.ownership).toBe("merged");
    expect(manifest.files["src/churn_model/core/schemas.py"]?.ownership).toBe("merged");
    expect(manifest.files["confs/train.yaml"]?.ownership).toBe("merged");
    expect(manifest.files.LICENSE?.ownership).toBe("once");
  });

  it("takes answers parsed at the edge: a bad one fails before the disk is touched", async () => {
    const root = await testdir();
    await expect(async () =>
      createProject({ targetDir: path.join(root, "x"), answers: parseAnswers({ name: "json" }) }),
    ).rejects.toThrow(/standard library/);
    expect(await fs.readdir(root)).toEqual([]);
  });

  it("runs uv lock, uv sync, then git init, the first commit and the base refs", async () => {
    const target = path.join(await testdir(), "churn-model");
    const { exec, calls, signals, envs } = fakeExec();
    const { log, lines } = fakeLog();
    const signal = new AbortController().signal;
    const result = await createProject(
      { targetDir: target, answers, install: true, git: true },
      { exec, log, signal },
    );
    expect(calls).toEqual([
      "uv --version",
      "uv lock",
      "uv sync", // no --compile-bytecode: ~14 s for all the libraries where a run imports a third
      // Started at once, in this order: the first commit has the contract and the released model
      // (-m churn_model.jobs.release) and the budgets (-m churn_model.io.budgets record).
      "uv run python",
      "uv run python",
      ...gitCalls,
    ]);
    // The Python steps cache the bytecode they compile even where PYTHONDONTWRITEBYTECODE is
    // set, as the project's Makefile has its targets do (Python reads "" as unset).
    for (const [i, call] of calls.entries()) {
      const env = envs[i]?.PYTHONDONTWRITEBYTECODE;
      expect(env, call).toBe(call === "uv run python" ? "" : undefined);
    }
    // Every tool stops with the call.
    expect(signals.every((s) => s === signal)).toBe(true);
    expect(result.steps.map(({ name, status }) => `${name} ${status}`)).toEqual([
      "install done",
      "contract done",
      "budgets done",
      "git done",
    ]);
    expect(result.baseRefs).toEqual(gitCalls.slice(-2).map((c) => c.split(" ")[2]));
    expect(result.incomplete).toBeUndefined();
    expect(lines[0]).toMatch(/^Created churn-model \(classification\) in .* — \d+ files$/);
    expect(lines).toContain("Initialized a git repository with the first commit.");
    // The set-up marker lived only while the post-steps ran (setup-kill.bin.test.ts kills them).
    await expect(fs.access(path.join(target, ".ds-service/setup-pending.json"))).rejects.toThrow();
  });

  it("shows each step live where the logger can: the tools' output as it comes, then the time", async () => {
    const target = path.join(await testdir(), "churn-model");
    const { exec } = fakeExec(async (_file, args, options) => {
      if (args[0] === "lock") options.onOutput?.("Resolved 142 packages in 1.20s\n");
      return undefined;
    });
    const { log, lines } = fakeLog();
    const events: string[] = [];
    const live: Logger = {
      ...log,
      step: (title) => {
        events.push(`start ${title}`);
        return {
          output: (text) => void events.push(`output ${text.trim()}`),
          done: (seconds) => void events.push(`done ${typeof seconds}`),
          failed: () => void events.push("failed"),
        };
      },
    };
    await createProject({ targetDir: target, answers, install: true }, { exec, log: live });
    expect(events).toEqual([
      "start Installing dependencies with uv (uv lock, uv sync)",
      "output Resolved 142 packages in 1.20s",
      "done number",
      "start Recording the contract callers rely on and the model to roll back to and measuring the performance budgets, at once (make contract-release, make budgets-record)",
      "done number",
    ]);
    // The live steps replace the plain step lines.
    expect(lines.some((line) => line.startsWith("Installing"))).toBe(false);

    const failing = path.join(await testdir(), "churn-model");
    events.length = 0;
    const broken = fakeExec((_file, args) =>
      args[0] === "sync" ? { exitCode: 1, output: "no" } : undefined,
    );
    const result = await createProject(
      { targetDir: failing, answers, install: true },
      { exec: broken.exec, log: live },
    );
    expect(result.incomplete).toBeInstanceOf(StepError);
    expect(events).toEqual(["start Installing dependencies with uv (uv lock, uv sync)", "failed"]);
  });

  it("without uv, still commits and records the base refs, and returns what remains", async () => {
    const target = path.join(await testdir(), "churn-model");
    const { exec, calls } = fakeExec((file) =>
      file === "uv" ? { exitCode: 127, output: "uv: not found" } : undefined,
    );
    const result = await createProject(
      { targetDir: target, answers, install: true, git: true },
      { exec },
    );
    expect(calls).toEqual(["uv --version", ...gitCalls]);
    expect(result.steps.map(({ name, status }) => `${name} ${status}`)).toEqual([
      "install failed",
      "contract skipped",
      "budgets skipped",
      "git done",
    ]);
    expect(result.incomplete).toBeInstanceOf(StepError);
    expect(result.incomplete?.message).toMatch(
      /what remains, in .*churn-model: make setup && make contract-release && make budgets-record && git/,
    );
  });

  it("records the contract and the budgets at once, and names the step that failed", async () => {
    const target = path.join(await testdir(), "churn-model");
    let running = 0;
    let most = 0;
    const { exec } = fakeExec(async (_file, args) => {
      if (args[0] !== "run") return undefined;
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      const budgets = args.includes("churn_model.io.budgets");
      return budgets ? { exitCode: 1, output: "AssertionError: transform.age" } : undefined;
    });
    const result = await createProject(
      { targetDir: target, answers, install: true, git: true },
      { exec },
    );
    expect(most).toBe(2);
    expect(result.steps.map(({ name, status }) => `${name} ${status}`)).toEqual([
      "install done",
      "contract done",
      "budgets failed",
      "git done",
    ]);
    expect(result.steps[2]?.message).toMatch(
      /`uv run python -m churn_model.io.budgets record` failed \(exit 1\):\nAssertionError/,
    );
    // What remains is the step that failed, then the commit of what it would change.
    expect(result.incomplete?.message).toMatch(
      /transform.age\n.*what remains, in .*churn-model: make budgets-record && git add -A/,
    );
  });

  it("an abort mid-way removes the half-made project and throws CancelledError (exit 130)", async () => {
    const target = path.join(await testdir(), "churn-model");
    const controller = new AbortController();
    let syncStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      syncStarted = resolve;
    });
    const { exec, calls } = fakeExec(async (_file, args, options) => {
      if (args[0] !== "sync") return undefined;
      // uv leaves a virtualenv behind when it is stopped mid-way, and its call throws.
      await fs.mkdir(path.join(options.cwd, ".venv"));
      return new Promise((_resolve, reject) => {
        options.signal?.addEventListener("abort", () =>
          reject(new CancelledError("`uv sync` was interrupted")),
        );
        syncStarted();
      });
    });
    const { log, lines } = fakeLog();
    const run = createProject(
      { targetDir: target, answers, install: true, git: true },
      { exec, log, signal: controller.signal },
    );
    await started;
    expect(await listTree(target)).toContain("pyproject.toml");
    controller.abort();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(exitCodes.cancelled);
    expect((error as Error).message).toMatch(/uv sync.*interrupted.*removed the partly set-up/);
    await expect(fs.stat(target)).rejects.toThrow(/ENOENT/);
    // Nothing ran after the abort: no commit, no base ref.
    expect(calls.at(-1)).toBe("uv sync");
    expect(lines[0]).toMatch(/^Created churn-model/);
  });

  it("an abort during the commit keeps what the target held before (a .git) and nothing else", async () => {
    const root = await testdir({ "churn-model/.git/HEAD": "ref: refs/heads/main\n" });
    const target = path.join(root, "churn-model");
    const controller = new AbortController();
    const { exec } = fakeExec((_file, args) => {
      if (args[0] !== "commit") return undefined;
      controller.abort();
      throw new CancelledError("`git commit` was interrupted");
    });
    await expect(
      createProject({ targetDir: target, answers, git: true }, { exec, signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(await listTree(target)).toEqual([".git/HEAD"]);
  });

  it("a dry run lists the files and the steps it would run, and writes and runs nothing", async () => {
    const root = await testdir();
    const target = path.join(root, "churn-model");
    const { exec, calls } = fakeExec();
    const dry = await createProject(
      { targetDir: target, answers, install: true, git: true, dryRun: true },
      { exec },
    );
    expect(calls).toEqual([]);
    expect(await fs.readdir(root)).toEqual([]);
    expect(dry.steps).toEqual([
      { name: "install", status: "planned" },
      { name: "contract", status: "planned" },
      { name: "budgets", status: "planned" },
      { name: "git", status: "planned" },
    ]);
    const real = await createProject({ targetDir: target, answers });
    expect(dry.files).toEqual(real.files);
    expect(dry.files).toContain(manifestPath);
  });
});
