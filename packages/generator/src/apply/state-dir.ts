import fs from "node:fs/promises";
import path from "node:path";

/**
 * Where ds-service keeps its journal and lock for the project in `root`: `ds-service/` inside the
 * git directory of the repository holding it, else `.ds-service/` in the project itself.
 *
 * Inside `.git` the journal is never in the work tree: `git status` stays clean (upgrade refuses
 * a dirty tree, and would see its own lock), `git stash -u`, `git clean -fdx` and a careless
 * `git add --all` cannot take a half-finished transaction with them, and every project of one
 * repository shares one lock. A project without git (`new` before `git init`, `add ci` on a bare
 * folder) has nowhere else to put it; the folder is removed again once it is empty.
 */
export async function stateDirFor(root: string): Promise<string> {
  let dir = path.resolve(root);
  for (;;) {
    const gitDir = await gitDirAt(dir);
    if (gitDir !== null) return path.join(gitDir, "ds-service");
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(path.resolve(root), ".ds-service");
    dir = parent;
  }
}

/** `dir/.git` as git reads it: a directory, or a file `gitdir: <path>` (worktrees, submodules). */
async function gitDirAt(dir: string): Promise<string | null> {
  const dotGit = path.join(dir, ".git");
  const stat = await fs.stat(dotGit).catch(() => null);
  if (stat === null) return null;
  if (stat.isDirectory()) return dotGit;
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await fs.readFile(dotGit, "utf8").catch(() => ""));
  return pointer?.[1] ? path.resolve(dir, pointer[1]) : null;
}

/** Removes the state directory when nothing is left in it; a `.git` is never left holding clutter. */
export async function removeIfEmpty(stateDir: string): Promise<void> {
  await fs.rmdir(stateDir).catch(() => undefined);
}
