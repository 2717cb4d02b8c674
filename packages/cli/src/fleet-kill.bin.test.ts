import fs from "node:fs/promises";
import path from "node:path";
import { serviceTemplateSource } from "@ds-service/generator";
import {
  git,
  oldProjectRepo,
  runCli,
  repoState as snapshot,
  testdir,
} from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";

// A real `ds-service fleet upgrade` killed (SIGKILL: no handler runs) from inside the git steps
// of its commit on a branch, by git's own extension points: a post-checkout hook (the switch to
// the new branch) and the signing program (the commit). The next command must restore the
// repository whole — on its branch, the half-made branch gone, files and refs as they were —
// and the next fleet run must upgrade it.

const branch = `ds-service/upgrade-${serviceTemplateSource.packageVersion}`;

/** Kills the ds-service process that ran the git that runs this script, then fails. */
const killer = `#!/bin/sh
node_pid=$(awk '{print $4}' /proc/$PPID/stat)
kill -9 "$node_pid"
exit 1
`;

/** Waits for the orphaned git to finish (its index lock gone) once ds-service was killed. */
async function gitSettled(dir: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const locked = await fs.stat(path.join(dir, ".git/index.lock")).then(
      () => true,
      () => false,
    );
    if (!locked) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(process.platform !== "linux")("killed fleet upgrade (built bin)", () => {
  it.each([
    ["switching to the new branch", "post-checkout hook"],
    ["committing on the new branch", "commit signing"],
  ])(
    "is restored whole when killed while %s",
    async (_, where) => {
      const dir = await oldProjectRepo();
      const hooks = await testdir();
      const script = path.join(hooks, where === "commit signing" ? "kill.sh" : "post-checkout");
      await fs.writeFile(script, killer, { mode: 0o755 });
      const armed: [string, string][] =
        where === "commit signing"
          ? [
              ["commit.gpgsign", "true"],
              ["gpg.program", script],
            ]
          : [["core.hooksPath", hooks]];
      for (const [key, value] of armed) await git(dir, "config", key, value);
      const before = await snapshot(dir);

      const killed = await runCli(["fleet", "upgrade", dir]);
      expect(killed.exitCode, killed.stderr).toBe(-1); // SIGKILL: no exit code
      await gitSettled(dir);
      for (const [key] of armed) await git(dir, "config", "--unset", key);

      const check = await runCli(["check", "--cwd", dir]);
      expect(check.stdout, check.stderr).toMatch(
        /Restored \d+ file\(s\) from an interrupted upgrade/,
      );
      // On its branch, the half-made branch gone, every file, ref and the index as they were.
      expect(await snapshot(dir)).toEqual(before);
      await expect(fs.stat(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);

      const rerun = await runCli(["fleet", "upgrade", dir, "--json"]);
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout).entries[0]).toMatchObject({ status: "upgraded", branch });
      expect(await git(dir, "symbolic-ref", "--short", "HEAD")).toBe("main");
      expect(await git(dir, "rev-list", "--count", `main..${branch}`)).toBe("1");
    },
    120_000,
  );
});

// A real `ds-service fleet upgrade` killed together with its git (SIGKILL to both: no handler
// runs, and git cannot delete its own lock) while `git add --all` on the new branch holds
// .git/index.lock — git runs a clean filter there, and the filter is the killer. Until the
// recovery knew which lock its own interrupted git step left, the next command stopped on it
// (`git reset`: "Unable to create '.../index.lock': File exists"). It must remove that lock,
// restore the repository whole, and the next fleet run must upgrade it.

/**
 * A clean filter: inside `git add` it kills the ds-service process and the git running it;
 * anywhere else (a racily clean file in `git status`) it passes the content through.
 */
const lockHoldingKiller = `#!/bin/sh
if tr '\\0' ' ' < /proc/$PPID/cmdline | grep -q ' add '; then
  node_pid=$(awk '{print $4}' /proc/$PPID/stat)
  kill -9 "$node_pid" "$PPID"
  exit 1
fi
exec cat
`;

describe.skipIf(process.platform !== "linux")(
  "fleet upgrade killed with its git (built bin)",
  () => {
    it("leaves .git/index.lock, which the next command's recovery removes", async () => {
      const dir = await oldProjectRepo();
      const script = path.join(await testdir(), "kill-filter.sh");
      await fs.writeFile(script, lockHoldingKiller, { mode: 0o755 });
      // Outside the work tree, so the tree stays clean for the upgrade's dirty check.
      const attributes = path.join(dir, ".git/info/attributes");
      await fs.mkdir(path.dirname(attributes), { recursive: true });
      await fs.writeFile(attributes, "* filter=killer\n");
      await git(dir, "config", "filter.killer.clean", script);
      const before = await snapshot(dir);

      const killed = await runCli(["fleet", "upgrade", dir]);
      expect(killed.exitCode, killed.stderr).toBe(-1); // SIGKILL: no exit code
      const lock = path.join(dir, ".git/index.lock");
      // The lock git held when it was killed is still there: no git runs to remove it.
      await expect(fs.stat(lock)).resolves.toBeTruthy();
      await fs.rm(attributes);
      await git(dir, "config", "--unset", "filter.killer.clean");

      const check = await runCli(["check", "--cwd", dir]);
      expect(check.stderr).toMatch(/removed .*index\.lock/);
      expect(check.stdout, check.stderr).toMatch(
        /Restored \d+ file\(s\) from an interrupted upgrade/,
      );
      await expect(fs.stat(lock)).rejects.toThrow(/ENOENT/);
      // On its branch, the half-made branch gone, every file, ref and the index as they were.
      expect(await snapshot(dir)).toEqual(before);
      await expect(fs.stat(path.join(dir, ".git/ds-service"))).rejects.toThrow(/ENOENT/);

      const rerun = await runCli(["fleet", "upgrade", dir, "--json"]);
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      expect(JSON.parse(rerun.stdout).entries[0]).toMatchObject({ status: "upgraded", branch });
      expect(await git(dir, "symbolic-ref", "--short", "HEAD")).toBe("main");
      expect(await git(dir, "rev-list", "--count", `main..${branch}`)).toBe("1");
    }, 120_000);
  },
);
