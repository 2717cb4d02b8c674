import {
  CancelledError,
  manifestPath,
  parseManifest,
  serviceTemplateSource,
  ValidationError,
} from "@ds-service/generator";
import { git, type UpgradeDeps } from "./git-exec.js";
import { recordedGitStep } from "./git-step.js";

/** The pristine render of the newest template version this repository was on (written by `new`). */
export const baseRef = "refs/ds-service/base";

/**
 * The pristine render of one template version. A branch may be on another version than the
 * newest (a fleet upgrade waits on its own branch for review), so bases are kept per version.
 */
export const versionBaseRef = (version: string) => `refs/ds-service/bases/${version}`;

/** The repository's git directory; a project that is not a git repository is refused. */
export async function gitDir(dir: string, deps: UpgradeDeps = {}): Promise<string> {
  const r = await git(deps, dir, ["rev-parse", "--absolute-git-dir"]);
  if (r.exitCode !== 0) {
    throw new ValidationError(
      `${dir} is not a git repository: ds-service upgrades need git to keep the template's base and to review the change`,
    );
  }
  return r.text.trim();
}

/** Paths with uncommitted changes (tracked or untracked), as `git status` shows them. */
export async function dirtyPaths(dir: string, deps: UpgradeDeps = {}): Promise<string[]> {
  const r = await git(deps, dir, ["status", "--porcelain", "--untracked-files=normal"]);
  if (r.exitCode !== 0) throw new Error(`git status failed: ${r.stderr}`);
  return r.text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
}

/**
 * The files of the pristine render of template `version`, or null when no such base is kept (a
 * project created with --no-git, a clone that did not fetch the refs). The per-version ref
 * wins; `baseRef` is used when the manifest it holds says it is that version.
 */
export async function readBase(
  dir: string,
  version: string,
  paths: readonly string[],
  deps: UpgradeDeps = {},
): Promise<Map<string, Buffer> | null> {
  for (const ref of [versionBaseRef(version), baseRef]) {
    const head = await git(deps, dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (head.exitCode !== 0) continue;
    const commit = head.text.trim();
    const [manifest] = (await catFiles(dir, commit, [manifestPath], deps)).values();
    if (manifest === undefined || !(await manifestSaysVersion(manifest.toString("utf8"), version)))
      continue;
    return catFiles(dir, commit, paths, deps);
  }
  return null;
}

/** Whether a base's manifest, read by the one manifest reader, records template `version`. */
async function manifestSaysVersion(text: string, version: string): Promise<boolean> {
  // A base is a render, not a work tree: there is no repository to ask for a v1 pack's facts.
  const noRepository = async () => ({ dockerfile: false, makeTargets: [] });
  const manifest = await parseManifest(text, `${manifestPath} (base)`, noRepository).catch(
    () => null,
  );
  return manifest?.packages[serviceTemplateSource.packageName] === version;
}

/** Files of `commit` as bytes, read with one `git cat-file --batch`; missing paths are left out. */
async function catFiles(
  dir: string,
  commit: string,
  paths: readonly string[],
  deps: UpgradeDeps,
): Promise<Map<string, Buffer>> {
  const input = paths.map((p) => `${commit}:${p}\n`).join("");
  const r = await git(deps, dir, ["cat-file", "--batch"], { input });
  if (r.exitCode !== 0) throw new Error(`reading the template base failed: ${r.stderr}`);
  const out = r.stdout;
  const files = new Map<string, Buffer>();
  let offset = 0;
  for (const p of paths) {
    const eol = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, eol).toString("utf8");
    offset = eol + 1;
    if (header.endsWith(" missing")) continue;
    const size = Number(header.split(" ")[2]);
    files.set(p, out.subarray(offset, offset + size));
    offset += size + 1;
  }
  return files;
}

/**
 * Records `files` as the new pristine render: one commit on `baseRef` (child of the old base
 * when there is one), written with a single `git fast-import` — the work tree is not touched.
 */
export async function writeBase(
  dir: string,
  version: string,
  files: ReadonlyMap<string, Buffer>,
  deps: UpgradeDeps = {},
): Promise<void> {
  const message = `ds-service template base ${version}`;
  const parent = await git(deps, dir, ["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`]);
  const chunks: Buffer[] = [];
  const text = (s: string) => chunks.push(Buffer.from(s, "utf8"));
  const data = (b: Buffer) => {
    text(`data ${b.length}\n`);
    chunks.push(b);
    text("\n");
  };
  text(`commit ${baseRef}\n`);
  text(
    `committer ds-service <ds-service@users.noreply.localhost> ${Math.floor(Date.now() / 1000)} +0000\n`,
  );
  data(Buffer.from(message, "utf8"));
  if (parent.exitCode === 0) text(`from ${parent.text.trim()}\n`);
  text("deleteall\n");
  for (const [p, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    text(`M 100644 inline ${p}\n`);
    data(content);
  }
  text("done\n");
  // Both move refs, so both are recorded (inside a transaction: a kill leaves a ref's lock to the
  // recovery, `removeStaleLocks`).
  const r = await recordedGitStep(dir, "git fast-import", () =>
    git(deps, dir, ["fast-import", "--quiet", "--done"], { input: Buffer.concat(chunks) }),
  );
  if (r.exitCode !== 0) throw new Error(`recording the new template base failed: ${r.stderr}`);
  const update = await recordedGitStep(dir, "git update-ref", () =>
    git(deps, dir, ["update-ref", versionBaseRef(version), baseRef]),
  );
  if (update.exitCode !== 0)
    throw new Error(`recording the new template base failed: ${update.stderr}`);
}

/** The refspec that brings every template base from a remote, as `git fetch` takes it. */
export const baseRefspec = "refs/ds-service/*:refs/ds-service/*";

/** The remote a clone fetches from: the current branch's upstream, else origin, else the first. */
export async function defaultRemote(
  dir: string,
  deps: UpgradeDeps = {},
): Promise<string | undefined> {
  const listed = await git(deps, dir, ["remote"]);
  const remotes = listed.exitCode === 0 ? listed.text.split("\n").filter(Boolean) : [];
  const branch = await git(deps, dir, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (branch.exitCode === 0) {
    const upstream = await git(deps, dir, ["config", `branch.${branch.text.trim()}.remote`]);
    if (remotes.includes(upstream.text.trim())) return upstream.text.trim();
  }
  return remotes.includes("origin") ? "origin" : remotes[0];
}

/**
 * Fetches every template base from `remote` (clones do not: git fetches only branches and tags
 * by default). Never prompts, and gives up after a minute (`timeout`, in ms), so an upgrade
 * cannot hang on a remote that wants a password. A ref that exists here already is not
 * overwritten.
 */
export async function fetchBaseRefs(
  dir: string,
  remote: string,
  deps: UpgradeDeps = {},
  timeout = 60_000,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const timer = AbortSignal.timeout(timeout);
  const r = await git(deps, dir, ["fetch", "--quiet", "--no-tags", remote, baseRefspec], {
    env: { GIT_TERMINAL_PROMPT: "0" },
    signal: timer,
  }).catch((error: unknown) => {
    if (error instanceof CancelledError && timer.aborted) return null;
    throw error;
  });
  if (r === null) return { ok: false, error: "no answer within a minute" };
  if (r.exitCode === 0) return { ok: true };
  const last = r.stderr.split("\n").filter(Boolean).at(-1);
  return { ok: false, error: last ?? `git fetch exited with ${r.exitCode}` };
}
