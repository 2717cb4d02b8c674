import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { listTree, oldProjectRepo, repoRoot, runCli } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";

// Two commands at once in one repository: while another process holds the repository's lock
// (taken by the real generator code, as `upgrade` takes it), `upgrade` refuses with exit 75
// and writes nothing; once that process is killed, the next upgrade goes on at once.

const generator = pathToFileURL(path.join(repoRoot, "packages/generator/dist/index.js")).href;

/** A process holding the lock of the repository at `dir` until it is killed. */
async function holdLock(dir: string) {
  const script = `
    import { stateDirFor, withRepoLock } from ${JSON.stringify(generator)};
    await withRepoLock(await stateDirFor(process.argv[1]), "upgrade", () => {
      console.log("held");
      return new Promise(() => setInterval(() => {}, 1000));
    });`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("held")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listTree(dir)) {
    if (!f.startsWith(".git/")) out[f] = (await fs.readFile(path.join(dir, f))).toString("base64");
  }
  return out;
}

describe("one command at a time per repository (built bin)", () => {
  it("refuses a second upgrade with exit 75 and nothing written, and recovers from a killed holder", async () => {
    const dir = await oldProjectRepo();
    const before = await snapshot(dir);
    const holder = await holdLock(dir);
    try {
      const r = await runCli(["upgrade", "--cwd", dir]);
      expect(r.exitCode, r.stderr).toBe(75);
      expect(r.stderr).toMatch(
        new RegExp(
          `\`ds-service upgrade\` \\(pid ${holder.pid} .*is changing this repository.*nothing was written`,
        ),
      );
      expect(await snapshot(dir)).toEqual(before);
    } finally {
      holder.kill("SIGKILL");
    }
    await new Promise((resolve) => holder.on("exit", resolve));
    const upgrade = await runCli(["upgrade", "--cwd", dir]);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    expect(await snapshot(dir)).not.toEqual(before);
    await expect(fs.access(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
