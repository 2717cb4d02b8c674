import { baseRefspec, defaultRemote, fetchBaseRefs, readBase } from "./git.js";
import type { UpgradeDeps } from "./git-exec.js";

/** Where the upgrade's merge base came from, and, when it is missing, how to bring it. */
export interface BaseRefs {
  /** `local`: in this clone; `fetched`: fetched from `remote` just now; `missing`: neither. */
  readonly state: "local" | "fetched" | "missing";
  readonly remote?: string;
  /** When missing: why, and the exact commands that bring the refs here. */
  readonly hint?: string;
}

const push = (remote: string) => `git push ${remote} 'refs/ds-service/*'`;
const fetch = (remote: string) => `git fetch ${remote} '${baseRefspec}'`;

/**
 * The pristine render of template `version` for the 3-way merge. A fresh clone lacks it (git
 * clones only branches and tags), so a missing base is fetched from the clone's remote first;
 * when that brings nothing, the hint names the command on each machine that fixes it.
 */
export async function loadBase(
  dir: string,
  version: string,
  paths: readonly string[],
  options: { fetch: boolean },
  deps: UpgradeDeps = {},
): Promise<{ files: Map<string, Buffer> | null; refs: BaseRefs }> {
  const local = await readBase(dir, version, paths, deps);
  if (local !== null) return { files: local, refs: { state: "local" } };
  const remote = await defaultRemote(dir, deps);
  const missing = `the base of template ${version} (refs/ds-service/*) is not in this ${remote ? "clone" : "repository"}`;
  const then =
    "then upgrade again. Until then, every file edited here that the template also changed is kept as it is, with the template's version written beside it as <path>.ds-service-theirs";
  if (remote === undefined) {
    const hint = `${missing}, which has no remote to fetch it from: add the remote that has it (\`git remote add origin <url>\`) and run \`${fetch("origin")}\` — if no remote has it, first run \`${push("origin")}\` on the machine that created the project — ${then}.`;
    return { files: null, refs: { state: "missing", hint } };
  }
  if (!options.fetch) {
    const hint = `${missing}: run \`${fetch(remote)}\`, ${then}.`;
    return { files: null, refs: { state: "missing", remote, hint } };
  }
  const fetched = await fetchBaseRefs(dir, remote, deps);
  const files = await readBase(dir, version, paths, deps);
  if (files !== null) return { files, refs: { state: "fetched", remote } };
  const hint = fetched.ok
    ? `${missing} and ${remote} does not have it either: on the machine that created the project (or any clone that has the refs), run \`${push(remote)}\`, then here \`${fetch(remote)}\`; ${then}.`
    : `${missing} and \`${fetch(remote)}\` failed (${fetched.error}): run it again once ${remote} can be reached (\`${push(remote)}\` on the machine that created the project shares the refs), ${then}.`;
  return { files: null, refs: { state: "missing", remote, hint } };
}
