import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseAnswers, planProject, writePlan } from "@ds-service/generator";
import { execa } from "execa";
import { writeBase } from "../git.js";
import { type Scenario, templateSource } from "./model.js";

// A real project per generated case, set up the way `ds-service new` leaves one: the v1 render
// written by the generator's writer into a git repository, its bytes recorded as the template
// base; then the user's edits.

export const answers = parseAnswers({ name: "prop-model", task: "classification" });
/** Above every released template version, so the version checks accept them as they are. */
export const v1 = "90.0.0";
export const v2 = "91.0.0";

const git = (dir: string, args: readonly string[]) => execa("git", args, { cwd: dir });

/**
 * One empty repository per run (no hooks, no samples), copied into each case: cheaper than
 * `git init` per case on a loaded machine, and the same repository every time.
 */
export async function repoTemplate(root: string): Promise<string> {
  const dir = path.join(root, "template-repo");
  await fs.mkdir(dir, { recursive: true });
  await execa("git", ["init", "-q", "-b", "main", "--template=", dir]);
  return path.join(dir, ".git");
}

export async function scratchRoot(): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "ds-service-prop-")));
}

/**
 * The project at v1 with the user's edits on disk; returns its directory. The v1 render is
 * recorded as refs/ds-service/base and refs/ds-service/bases/<v1> (what `new` leaves) with one
 * `git fast-import`, unless the scenario is a clone that did not fetch them. The user's edits
 * stay uncommitted (upgrades here pass allowDirty): one git process per case instead of five.
 */
export async function projectFor(
  root: string,
  gitTemplate: string,
  scenario: Scenario,
  name: string,
): Promise<string> {
  const dir = path.join(root, name);
  const plan = await planProject(answers, dir, templateSource(v1, scenario, "v1"));
  await writePlan(plan, dir);
  await fs.cp(gitTemplate, path.join(dir, ".git"), { recursive: true });
  // The base refs as the upgrade itself records them (refs/ds-service/base and bases/<v1>).
  if (scenario.baseRefs)
    await writeBase(dir, v1, new Map([...plan].map(([p, f]) => [p, f.content])));
  for (const f of scenario.files) {
    const abs = path.join(dir, f.path);
    if (f.user === null) await fs.rm(abs, { force: true });
    else {
      await fs.mkdir(path.dirname(abs), { recursive: true });
      await fs.writeFile(abs, f.user);
      if (f.userMode !== null) await fs.chmod(abs, f.userMode);
    }
  }
  return dir;
}

/** The v2 render as `new` would write it: path → bytes, manifest included. */
export async function freshRender(dir: string, scenario: Scenario): Promise<Map<string, Buffer>> {
  const plan = await planProject(answers, dir, templateSource(v2, scenario, "v2"));
  return new Map([...plan].map(([p, f]) => [p, f.content]));
}

/** The v2 render's modes as `new` would set them: path → mode (absent: the default). */
export async function freshModes(
  dir: string,
  scenario: Scenario,
): Promise<Map<string, number | undefined>> {
  const plan = await planProject(answers, dir, templateSource(v2, scenario, "v2"));
  return new Map([...plan].map(([p, f]) => [p, f.mode]));
}

/** Every work-tree file's path, outside .git. */
async function workFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((rel) => rel !== ".git" && !rel.startsWith(".git/"));
}

/** Every work-tree file's bytes, outside .git. */
export async function workTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const rel of await workFiles(dir)) out.set(rel, await fs.readFile(path.join(dir, rel)));
  return out;
}

/** Every work-tree file's permission bits, outside .git. */
export async function workModes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const rel of await workFiles(dir))
    out.set(rel, (await fs.stat(path.join(dir, rel))).mode & 0o7777);
  return out;
}

/**
 * The refs an upgrade moves, as ref → tree: a re-recorded base is a new commit (new time,
 * new parent) with the same tree, so trees are what "the same state" means for them.
 */
export async function baseRefs(dir: string): Promise<string> {
  const r = await git(dir, ["for-each-ref", "--format=%(refname) %(tree)", "refs/ds-service/"]);
  return r.stdout;
}

/** Work tree (modes included) and base refs as one comparable record (bytes as hex). */
export async function state(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const modes = await workModes(dir);
  for (const [rel, bytes] of [...(await workTree(dir))].sort(([a], [b]) => a.localeCompare(b)))
    out[rel] = `${modes.get(rel)?.toString(8)} ${bytes.toString("hex")}`;
  out["<refs>"] = await baseRefs(dir);
  return out;
}
