import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { onTestFinished } from "vitest";

/** The monorepo root, for tests that need the built CLI. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const cliBin = path.join(repoRoot, "packages/cli/dist/bin.js");

/**
 * A real temp directory (outside the monorepo, so generated projects never see its config),
 * filled with `files` and removed when the current test finishes.
 */
export async function testdir(files: Record<string, string> = {}): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-test-")));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
  }
  return dir;
}

/** Every file under `dir`, relative, sorted — to assert exactly what a command wrote. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the built `ds-service` binary the way a user does: no TTY, CI unset unless given. */
export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const result = await execa(process.execPath, [cliBin, ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: { NO_COLOR: "1", ...options.env },
    reject: false,
    stdin: "ignore",
    timeout: 120_000,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}
