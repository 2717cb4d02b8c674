import fs from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import {
  CancelledError,
  demoClassificationProfile,
  serviceTemplateSource,
} from "@ds-service/generator";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import { type Exec, execaExec } from "./exec.js";
import type { Io } from "./io.js";
import { run } from "./main.js";
import type { Prompter } from "./prompts.js";

function fakeIo(cwd: string, tty: boolean, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          into.push(String(chunk));
          done();
        },
      }),
      { isTTY: tty },
    );
  const io: Io = { cwd, env, stdout: sink(out), stderr: sink(err), stdinIsTTY: tty };
  return { io, out, err };
}

const scriptedPrompter = (answers: { dir?: string; name?: string; task?: "regression" }) => {
  const asked: string[] = [];
  const ask = <T>(question: string, answer: T) => {
    asked.push(question);
    return Promise.resolve(answer);
  };
  const prompter: Prompter = {
    directory: () => ask("directory", answers.dir ?? "x"),
    name: (d) => ask("name", answers.name ?? d),
    task: () => ask("task", answers.task ?? "regression"),
    data: () => ask("data", undefined),
  };
  return { prompter, asked };
};

const noExec: Exec = async (file) => {
  throw new Error(`unexpected spawn of ${file}`);
};

describe("run new", () => {
  it("asks only what flags did not answer, when a person is at a terminal", async () => {
    const cwd = await testdir();
    const { io } = fakeIo(cwd, true);
    const { prompter, asked } = scriptedPrompter({ name: "picked-name" });
    const code = await run(["new", "proj", "--no-install", "--no-git"], {
      io,
      prompter,
      exec: noExec,
    });
    expect(code).toBe(0);
    expect(asked).toEqual(["data", "name", "task"]);
    const manifest = JSON.parse(
      await fs.readFile(path.join(cwd, "proj/.ds-service/manifest.json"), "utf8"),
    );
    expect(manifest.answers).toEqual({ name: "picked-name", task: "regression", ci: "github" });
  });

  it("never prompts under CI, even at a terminal", async () => {
    const cwd = await testdir();
    const { io } = fakeIo(cwd, true, { CI: "true" });
    const { prompter, asked } = scriptedPrompter({});
    expect(
      await run(["new", "proj", "--no-install", "--no-git"], { io, prompter, exec: noExec }),
    ).toBe(0);
    expect(asked).toEqual([]);
  });

  it("treats Ctrl-C during generation as a cancel: exit 130 and nothing written", async () => {
    const cwd = await testdir();
    const { io, err } = fakeIo(cwd, false);
    const controller = new AbortController();
    controller.abort();
    const code = await run(["new", "proj", "--no-install", "--no-git"], {
      io,
      exec: noExec,
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(err.join("")).toMatch(/cancelled/);
    expect(await listTree(cwd)).toEqual([]);
  });

  it("reports a missing uv as a failed step, keeping the complete project", async () => {
    const cwd = await testdir();
    const { io, err } = fakeIo(cwd, false);
    const exec: Exec = async () => ({ exitCode: 127, output: "uv: not found" });
    const code = await run(["new", "proj", "--no-git"], { io, exec });
    expect(code).toBe(3);
    expect(err.join("")).toMatch(/`uv` was not found.*\n.*make setup/);
    expect(err.join("")).not.toMatch(/please report/);
    expect(await listTree(path.join(cwd, "proj"))).toContain("pyproject.toml");
  });

  it("runs uv lock, uv sync, then git in the project", async () => {
    const cwd = await testdir();
    const { io } = fakeIo(cwd, false);
    const calls: string[] = [];
    const exec: Exec = async (file, args, options) => {
      calls.push(`${path.relative(cwd, options.cwd)}: ${file} ${args.join(" ")}`);
      if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
      return { exitCode: 0, output: args[0] === "config" ? "me@example.com" : "" };
    };
    expect(await run(["new", "proj"], { io, exec })).toBe(0);
    expect(calls.map((c) => c.replace(/ -m .*/, ""))).toEqual([
      "proj: uv --version",
      "proj: uv lock",
      "proj: uv sync",
      "proj: uv run python", // -m proj.jobs.release
      "proj: uv run python", // -m proj.io.budgets record
      "proj: git rev-parse --show-toplevel",
      "proj: git init --quiet --initial-branch=main",
      "proj: git config user.email",
      "proj: git add --all -- . :(exclude).ds-service/setup-pending.json",
      "proj: git commit --quiet --no-verify",
      "proj: git update-ref refs/ds-service/base HEAD",
      `proj: git update-ref refs/ds-service/bases/${serviceTemplateSource.packageVersion} HEAD`,
    ]);
  });

  it("without uv, still commits and records the base ref, then says what remains (exit 3)", async () => {
    const cwd = await testdir();
    const { io, err } = fakeIo(cwd, false);
    const calls: string[] = [];
    const exec: Exec = async (file, args) => {
      calls.push(`${file} ${args[0]}`);
      if (file === "uv") return { exitCode: 127, output: "uv: not found" };
      if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
      return { exitCode: 0, output: args[0] === "config" ? "me@example.com" : "" };
    };
    expect(await run(["new", "proj"], { io, exec })).toBe(3);
    expect(calls).toContain("git commit");
    expect(calls.filter((c) => c === "git update-ref")).toHaveLength(2);
    expect(err.join("")).toMatch(/first commit and the base ref for upgrades are in place/);
    expect(err.join("")).toMatch(
      /what remains, in .*proj: make setup && make contract-release && make budgets-record && git add -A/,
    );
  });

  it("Ctrl-C during uv sync exits 130 and removes the half-set-up project", async () => {
    const cwd = await testdir({ "proj/.git/HEAD": "ref: refs/heads/main\n" });
    const { io, err } = fakeIo(cwd, false);
    const controller = new AbortController();
    const exec: Exec = async (_file, args, options) => {
      if (args[0] === "sync") {
        // uv leaves a virtualenv behind when it is stopped mid-way.
        await fs.mkdir(path.join(options.cwd, ".venv"), { recursive: true });
        controller.abort();
        expect(options.signal?.aborted).toBe(true);
        throw new CancelledError("`uv sync` was interrupted");
      }
      return { exitCode: 0, output: "" };
    };
    const code = await run(["new", "proj"], { io, exec, signal: controller.signal });
    expect(code).toBe(130);
    expect(err.join("")).toMatch(/uv sync.*interrupted.*removed the partly set-up/);
    // The target is as it was (a pre-existing .git kept), so the same command can run again.
    expect(await listTree(path.join(cwd, "proj"))).toEqual([".git/HEAD"]);
  });

  it("names the package manager that ran it for a later `ds-service upgrade`", async () => {
    const cwd = await testdir();
    const { io, out } = fakeIo(cwd, false, { npm_config_user_agent: "pnpm/10.3.0 npm/? node/v20" });
    const exec: Exec = async () => ({ exitCode: 0, output: "" });
    expect(await run(["new", "proj", "--no-install", "--no-git"], { io, exec })).toBe(0);
    expect(out.join("")).toContain("pnpm dlx @ds-service/cli upgrade");
  });

  it("tunes a model fitted to the user's data once, after uv sync and before the first commit", async () => {
    const dataset = {
      ...demoClassificationProfile,
      source: { file: "rows.csv", format: "csv", sha256: "a".repeat(64), bytes: 10 },
    };
    const cwd = await testdir({ "answers.json": JSON.stringify({ name: "proj", dataset }) });
    const { io } = fakeIo(cwd, false);
    const calls: string[] = [];
    const exec: Exec = async (file, args) => {
      calls.push(`${file} ${args.join(" ")}`);
      if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
      return { exitCode: 0, output: args[0] === "config" ? "me@example.com" : "" };
    };
    expect(await run(["new", "proj", "--answers", "answers.json"], { io, exec })).toBe(0);
    const tune = calls.indexOf("uv run python -m proj.jobs.tune --apply");
    expect(tune).toBe(calls.indexOf("uv sync") + 1);
    expect(tune).toBeLessThan(calls.findIndex((c) => c.startsWith("git commit")));
  });

  it("re-tunes after data refresh applies, not on a dry run nor with --no-tune", async () => {
    const source = { file: "rows.csv", format: "csv", sha256: "a".repeat(64), bytes: 10 };
    const dataset = { ...demoClassificationProfile, source };
    const cwd = await testdir({
      "answers.json": JSON.stringify({ name: "proj", dataset }),
      "new.csv": "x\n",
    });
    const { io } = fakeIo(cwd, false);
    const calls: string[] = [];
    // git is real (the refresh is an upgrade with a base ref); uv is scripted: the profiler
    // "reads" the new file and finds one more row.
    const exec: Exec = async (file, args, options) => {
      if (file === "git") return execaExec(file, args, options);
      calls.push(`${file} ${args.join(" ")}`);
      const out = args.indexOf("--out");
      if (out >= 0) {
        const fresh = {
          ...dataset,
          rows: dataset.rows + 1,
          source: { ...source, file: "new.csv" },
        };
        await fs.writeFile(String(args[out + 1]), JSON.stringify(fresh));
      }
      return { exitCode: 0, output: "" };
    };
    expect(
      await run(["new", "proj", "--no-install", "--answers", "answers.json"], { io, exec }),
    ).toBe(0);
    const project = { io: fakeIo(path.join(cwd, "proj"), false).io, exec };
    const tunes = () => calls.filter((c) => c.includes("proj.jobs.tune --apply")).length;

    expect(await run(["data", "refresh", "--data", "../new.csv", "--dry-run"], project)).toBe(0);
    expect(tunes()).toBe(0);
    expect(
      await run(["data", "refresh", "--data", "../new.csv", "--no-tune", "--allow-dirty"], project),
    ).toBe(0);
    expect(tunes()).toBe(0);
    expect(await run(["data", "refresh", "--data", "../new.csv", "--allow-dirty"], project)).toBe(
      0,
    );
    expect(tunes()).toBe(1);
  });

  it("does not tune the demo, whose tuned values ship with the template", async () => {
    const cwd = await testdir();
    const { io } = fakeIo(cwd, false);
    const calls: string[] = [];
    const exec: Exec = async (file, args) => {
      calls.push(`${file} ${args.join(" ")}`);
      return { exitCode: 0, output: "" };
    };
    expect(await run(["new", "proj", "--no-git"], { io, exec })).toBe(0);
    expect(calls.filter((c) => c.includes("jobs.tune"))).toEqual([]);
  });

  it("--dry-run lists every file it would create and the steps, and creates and runs nothing", async () => {
    const cwd = await testdir();
    const { io, out } = fakeIo(cwd, false);
    expect(await run(["new", "proj", "--dry-run"], { io, exec: noExec })).toBe(0);
    const text = out.join("");
    const count = Number(
      /Would create proj \(classification\) in .*proj — (\d+) files:/.exec(text)?.[1],
    );
    expect(count).toBeGreaterThan(40);
    const listed = text.split("\n").filter((line) => line.startsWith("  "));
    expect(listed).toHaveLength(count);
    expect(listed).toContain("  pyproject.toml");
    expect(listed).toContain("  .ds-service/manifest.json");
    expect(text).toMatch(
      /Then: uv lock and uv sync; make contract-release .*; git init, the first commit and the base refs/,
    );
    expect(text).toMatch(/Nothing was written \(--dry-run\)/);
    expect(await listTree(cwd)).toEqual([]);
    expect(await fs.readdir(cwd)).toEqual([]);
  });

  it("--json prints one document: the project, its files and each post-step", async () => {
    const cwd = await testdir();
    const { io, out, err } = fakeIo(cwd, false);
    const exec: Exec = async (_file, args) => {
      if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
      return { exitCode: 0, output: args[0] === "config" ? "me@example.com" : "" };
    };
    expect(await run(["new", "proj", "--json"], { io, exec })).toBe(0);
    const doc = JSON.parse(out.join(""));
    expect(doc).toMatchObject({
      projectDir: path.join(cwd, "proj"),
      name: "proj",
      task: "classification",
      dryRun: false,
      baseRefs: [
        "refs/ds-service/base",
        `refs/ds-service/bases/${serviceTemplateSource.packageVersion}`,
      ],
    });
    // Beside the rendered files, the install step's lock (the template's seed, made this project's).
    expect([...doc.files, "uv.lock"].sort()).toEqual(await listTree(path.join(cwd, "proj")));
    expect(doc.steps.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual(
      ["install done", "contract done", "budgets done", "git done"],
    );
    expect(doc.error).toBeUndefined();
    // Progress goes to stderr, so stdout stays one document.
    expect(err.join("")).toMatch(/Created proj .*\n.*Installing dependencies/s);
  });

  it("--json --dry-run lists the files and the planned steps; nothing exists after", async () => {
    const cwd = await testdir();
    const { io, out } = fakeIo(cwd, false);
    expect(
      await run(["new", "proj", "--json", "--dry-run", "--no-git"], { io, exec: noExec }),
    ).toBe(0);
    const doc = JSON.parse(out.join(""));
    expect(doc).toMatchObject({
      dryRun: true,
      steps: [
        { name: "install", status: "planned" },
        { name: "contract", status: "planned" },
        { name: "budgets", status: "planned" },
      ],
    });
    expect(doc.files).toContain("pyproject.toml");
    expect(await fs.readdir(cwd)).toEqual([]);
  });

  it("--json with a failed post-step: one document with the steps and the error, exit 3", async () => {
    const cwd = await testdir();
    const { io, out, err } = fakeIo(cwd, false);
    const exec: Exec = async (file, args) => {
      if (file === "uv") return { exitCode: 127, output: "uv: not found" };
      if (args[0] === "rev-parse") return { exitCode: 128, output: "not a git repository" };
      return { exitCode: 0, output: "" };
    };
    expect(await run(["new", "proj", "--json"], { io, exec })).toBe(3);
    const doc = JSON.parse(out.join(""));
    expect(doc.steps.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual(
      ["install failed", "contract skipped", "budgets skipped", "git done"],
    );
    expect(doc.error).toMatchObject({ kind: "StepError", exitCode: 3 });
    expect(doc.error.message).toMatch(/what remains/);
    expect(err.join("")).toMatch(/error: .*`uv` was not found/);
  });

  it("--json refusing a target: the JSON error document, exit 2, nothing written", async () => {
    const cwd = await testdir({ "proj/notes.md": "mine" });
    const { io, out } = fakeIo(cwd, false);
    expect(await run(["new", "proj", "--json", "--dry-run"], { io, exec: noExec })).toBe(2);
    expect(JSON.parse(out.join(""))).toMatchObject({
      error: { kind: "ValidationError", exitCode: 2 },
    });
    expect(await listTree(cwd)).toEqual(["proj/notes.md"]);
  });

  it("with --json, an error is one JSON document on stdout with its kind and exit code", async () => {
    const cwd = await testdir();
    const { io, out, err } = fakeIo(cwd, false);
    expect(await run(["check", "--json"], { io })).toBe(2);
    const report = JSON.parse(out.join("")) as { error: Record<string, unknown> };
    expect(report.error).toMatchObject({ kind: "ValidationError", exitCode: 2 });
    expect(String(report.error.message)).toMatch(/manifest|ds-service/);
    expect(err.join("")).toContain(String(report.error.message));
    // A usage error commander rejects is JSON too.
    const usage = fakeIo(cwd, false);
    expect(await run(["check", "--json", "--no-such-flag"], { io: usage.io })).toBe(2);
    expect(JSON.parse(usage.out.join(""))).toMatchObject({ error: { kind: "UsageError" } });
  });

  it("turns an unexpected error into exit 70 with a please-report message", async () => {
    const cwd = await testdir();
    const { io, err } = fakeIo(cwd, false);
    const exec: Exec = async () => {
      throw new TypeError("boom");
    };
    expect(await run(["new", "proj", "--no-git"], { io, exec })).toBe(70);
    expect(err.join("")).toMatch(/please report.*\n.*boom/s);
  });
});
