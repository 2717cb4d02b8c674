import fs from "node:fs/promises";
import path from "node:path";
import { type Exec, mustRun } from "./deps.js";
import { setupMarker } from "./interrupted.js";

/**
 * Where the pristine render is kept, so an upgrade never needs to re-render an old template:
 * the newest base, and the base of this template version (@ds-service/codemods reads both).
 */
const baseRefs = (templateVersion: string): readonly string[] => [
  "refs/ds-service/base",
  `refs/ds-service/bases/${templateVersion}`,
];

/**
 * `git init` (unless the target already was a repository) and one commit of everything written.
 * A machine with no git identity still gets its commit, under a ds-service identity. Returns the
 * base refs it recorded.
 */
export async function initialCommit(
  exec: Exec,
  projectDir: string,
  versions: { generator: string; template: string },
): Promise<readonly string[]> {
  const run = (args: readonly string[]) => mustRun(exec, "git", args, { cwd: projectDir });
  // Only a repository rooted at the project counts: a project created inside another
  // repository's work tree (a monorepo, a git-ignored folder) gets a repository of its own.
  const top = await exec("git", ["rev-parse", "--show-toplevel"], { cwd: projectDir });
  const realDir = await fs.realpath(projectDir);
  if (top.exitCode !== 0 || path.resolve(top.output.trim()) !== realDir) {
    await run(["init", "--quiet", "--initial-branch=main"]);
  }
  const email = await exec("git", ["config", "user.email"], { cwd: projectDir });
  const identity =
    email.exitCode === 0 && email.output.trim() !== ""
      ? []
      : ["-c", "user.name=ds-service", "-c", "user.email=ds-service@users.noreply.localhost"];
  // The set-up marker is removed once this step is done: never part of the commit.
  await run(["add", "--all", "--", ".", `:(exclude)${setupMarker}`]);
  await run([
    ...identity,
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    `chore: scaffold with ds-service ${versions.generator}`,
  ]);
  const refs = baseRefs(versions.template);
  for (const ref of refs) await run(["update-ref", ref, "HEAD"]);
  return refs;
}
