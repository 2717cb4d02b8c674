import fs from "node:fs/promises";
import path from "node:path";
import { type Exec, StepError } from "@ds-service/generator";
import { oldProjectRepo, repoState as snapshot, git as testGit } from "@ds-service/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fleetUpgrade } from "./fleet.js";
import { baseRef } from "./git.js";
import { execaGit } from "./git-exec.js";
import { upgradeProject } from "./run-upgrade.js";

// The library runs git only through the exec it is given (issue 14, "a library first"). The
// proof needs no mock: while the library runs, PATH holds no git, so a git spawned any other
// way fails (ENOENT) and so does the upgrade; the injected exec runs git by its full path.

let savedPath: string | undefined;
let gitBin: string;

beforeEach(async () => {
  savedPath = process.env.PATH;
  gitBin = await findOnPath("git", savedPath ?? "");
});
afterEach(() => {
  process.env.PATH = savedPath;
});

async function findOnPath(name: string, searchPath: string): Promise<string> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (
      await fs.access(file, fs.constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  throw new Error(`${name} is not on PATH`);
}

/** Runs git by its full path, records each call, and answers `fail` for the one it names. */
function recordingExec(calls: string[], fail?: string): Exec {
  return async (file, args, options) => {
    calls.push(`${file} ${args.join(" ")}`);
    if (fail !== undefined && args.includes(fail)) {
      return {
        exitCode: 1,
        output: "injected failure",
        stdout: new Uint8Array(),
        stderr: "injected failure",
      };
    }
    return execaGit(gitBin, args, { ...options, env: { ...options.env, PATH: savedPath ?? "" } });
  };
}

/** PATH without git, for as long as the library runs. */
const hideGit = () => {
  process.env.PATH = "/nonexistent";
};

describe("an upgrade with an injected exec", () => {
  it("runs every git call through it, and none otherwise", async () => {
    const dir = await oldProjectRepo();
    const baseBefore = await testGit(dir, "rev-parse", baseRef);
    const calls: string[] = [];
    hideGit();
    const result = await upgradeProject({ dir }, { exec: recordingExec(calls) });
    process.env.PATH = savedPath;

    expect(result.changed.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.startsWith("git "))).toBe(true);
    const commands = new Set(calls.map((c) => c.split(" ")[1]));
    for (const used of [
      "rev-parse",
      "status",
      "cat-file",
      "fast-import",
      "update-ref",
      "for-each-ref",
    ])
      expect(commands).toContain(used);
    // What went through it really happened: the new base is recorded.
    expect(await testGit(dir, "rev-parse", baseRef)).not.toBe(baseBefore);
  });

  it("without it, git spawned any other way fails (the proof above can fail)", async () => {
    const dir = await oldProjectRepo();
    hideGit();
    await expect(upgradeProject({ dir })).rejects.toThrow(/`git` was not found on PATH/);
  });

  it("surfaces a failing git step as the upgrade's error, and restores every file and ref", async () => {
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    const calls: string[] = [];
    hideGit();
    const run = upgradeProject({ dir }, { exec: recordingExec(calls, "fast-import") });
    await expect(run).rejects.toThrow(/recording the new template base failed: injected failure/);
    process.env.PATH = savedPath;
    expect(await snapshot(dir)).toEqual(before);
  });

  it("refuses an exec that does not give stdout apart from stderr, with a StepError", async () => {
    const dir = await oldProjectRepo();
    const textOnly: Exec = async () => ({ exitCode: 0, output: "" });
    const run = upgradeProject({ dir }, { exec: textOnly });
    await expect(run).rejects.toBeInstanceOf(StepError);
    await expect(run).rejects.toThrow(/no separate stdout and stderr for `git rev-parse/);
  });
});

describe("a fleet upgrade with an injected exec", () => {
  it("commits on its branch through it", async () => {
    const dir = await oldProjectRepo();
    const calls: string[] = [];
    hideGit();
    const [entry] = await fleetUpgrade({ paths: [dir] }, { exec: recordingExec(calls) });
    process.env.PATH = savedPath;
    expect(entry).toMatchObject({ status: "upgraded" });
    const commands = calls.map(
      (c) => c.split(" ").filter((a) => !a.startsWith("user.") && a !== "-c")[1],
    );
    expect(commands).toEqual(expect.arrayContaining(["switch", "add", "commit"]));
    expect(await testGit(dir, "rev-list", "--count", `main..${entry?.branch}`)).toBe("1");
  });

  it("reports a failing commit as that repository's failure, rolled back to its branch", async () => {
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    hideGit();
    const [entry] = await fleetUpgrade({ paths: [dir] }, { exec: recordingExec([], "commit") });
    process.env.PATH = savedPath;
    expect(entry).toMatchObject({ status: "failed" });
    expect(entry?.detail).toMatch(/git commit failed in .*: injected failure/);
    expect(await snapshot(dir)).toEqual(before);
  });
});
