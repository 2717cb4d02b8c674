import { ValidationError } from "@ds-service/generator";
import { execa } from "execa";

/** Where the pristine render of the project's template version is kept (written by `new`). */
export const baseRef = "refs/ds-service/base";

const git = (dir: string, args: readonly string[], input?: string | Buffer) =>
  execa("git", args, { cwd: dir, reject: false, ...(input === undefined ? {} : { input }) });

/** The repository's git directory; a project that is not a git repository is refused. */
export async function gitDir(dir: string): Promise<string> {
  const r = await git(dir, ["rev-parse", "--absolute-git-dir"]);
  if (r.exitCode !== 0) {
    throw new ValidationError(
      `${dir} is not a git repository: ds-service upgrades need git to keep the template's base and to review the change`,
    );
  }
  return r.stdout.trim();
}

/** Paths with uncommitted changes (tracked or untracked), as `git status` shows them. */
export async function dirtyPaths(dir: string): Promise<string[]> {
  const r = await git(dir, ["status", "--porcelain", "--untracked-files=normal"]);
  if (r.exitCode !== 0) throw new Error(`git status failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
}

/**
 * The files of the pristine render at `baseRef`, or null when the ref is missing (a project
 * created with --no-git, or a clone that did not fetch the ref). One `git cat-file` for all.
 */
export async function readBase(
  dir: string,
  paths: readonly string[],
): Promise<Map<string, string> | null> {
  const head = await git(dir, ["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`]);
  if (head.exitCode !== 0) return null;
  const input = paths.map((p) => `${baseRef}:${p}\n`).join("");
  const r = await execa("git", ["cat-file", "--batch"], {
    cwd: dir,
    input,
    encoding: "buffer",
  });
  const out = Buffer.from(r.stdout);
  const files = new Map<string, string>();
  let offset = 0;
  for (const p of paths) {
    const eol = out.indexOf(0x0a, offset);
    const header = out.subarray(offset, eol).toString("utf8");
    offset = eol + 1;
    if (header.endsWith(" missing")) continue;
    const size = Number(header.split(" ")[2]);
    files.set(p, out.subarray(offset, offset + size).toString("utf8"));
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
  files: ReadonlyMap<string, Buffer>,
  message: string,
): Promise<void> {
  const parent = await git(dir, ["rev-parse", "--verify", "--quiet", `${baseRef}^{commit}`]);
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
  if (parent.exitCode === 0) text(`from ${parent.stdout.trim()}\n`);
  text("deleteall\n");
  for (const [p, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    text(`M 100644 inline ${p}\n`);
    data(content);
  }
  text("done\n");
  const r = await git(dir, ["fast-import", "--quiet", "--done"], Buffer.concat(chunks));
  if (r.exitCode !== 0) throw new Error(`recording the new template base failed: ${r.stderr}`);
}
