import fs from "node:fs/promises";
import path from "node:path";
import * as z from "zod";
import { ValidationError } from "../errors.js";
import { manifestPath, sha256 } from "../manifest/index.js";
import type { Logger } from "./deps.js";

/**
 * A `new` killed during its set-up (SIGKILL, a closed terminal, a crash: nothing it can catch)
 * leaves a whole project without its install, records or first commit, and a retry would be
 * refused as "not empty". While the post-steps run, this marker says so; the next `new` into
 * the same target finds it and takes the half-set-up project back, as a cancel does — unless
 * the user changed it since, which is then theirs: refused, nothing removed.
 */
export const setupMarker = ".ds-service/setup-pending.json";

/** What the target held before `new` (absent, or empty but for `.git`): what recovery restores. */
export interface TargetBefore {
  readonly existed: boolean;
  readonly entries: ReadonlySet<string>;
}

/** The make target that does each tool post-step of `new` by hand. */
export const setupCommand = {
  install: "make setup",
  tune: "make tune",
  contract: "make contract-release",
  budgets: "make budgets-record",
} as const;

/** The post-steps' make targets, to run by hand when they did not run (`make tune`: fitted to data). */
export function setupCommands(fittedToData: boolean): string[] {
  const { install, tune, contract, budgets } = setupCommand;
  return [install, ...(fittedToData ? [tune] : []), contract, budgets];
}

/** Files the post-steps write or rewrite (uv, make tune, contract-release, budgets-record). */
const stepOutputs = new Set(["uv.lock", "confs/tuned.yaml", "confs/budgets.yaml"]);
const stepDirs = ["contract/"];
/** Built or cached by the tools, never the user's work. */
const toolDirs = new Set([
  ".git",
  ".venv",
  ".ds-service",
  "__pycache__",
  ".mypy_cache",
  ".ruff_cache",
  ".pytest_cache",
  ".hypothesis",
  "artifacts",
  "reports",
  "mlruns",
]);

const markerSchema = z.object({ existed: z.boolean(), entries: z.array(z.string()) });
type Marker = z.infer<typeof markerSchema>;

/** The marker as `markSetupPending` wrote it; anything else is refused, since recovery trusts it. */
function parseMarker(target: string, text: string): Marker {
  const parsed = markerSchema.safeParse(parseJson(text));
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    `${path.join(target, setupMarker)} is not the marker \`new\` writes, so what an interrupted ` +
      "set-up created cannot be told from what was there before; nothing was removed — " +
      "move the directory away, or delete that file if the project there is complete",
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function targetBefore(target: string): Promise<TargetBefore> {
  const entries = await fs.readdir(target).catch(() => undefined);
  return { existed: entries !== undefined, entries: new Set(entries ?? []) };
}

export async function markSetupPending(target: string, before: TargetBefore): Promise<void> {
  const marker: Marker = { existed: before.existed, entries: [...before.entries].sort() };
  await fs.writeFile(path.join(target, setupMarker), `${JSON.stringify(marker)}\n`);
}

export async function clearSetupPending(target: string): Promise<void> {
  await fs.rm(path.join(target, setupMarker), { force: true });
}

/** Removes what `new` created in `target`, leaving what was there before. */
export async function removeCreated(target: string, before: TargetBefore): Promise<void> {
  if (!before.existed) {
    await fs.rm(target, { recursive: true, force: true });
    return;
  }
  for (const entry of await fs.readdir(target).catch(() => [])) {
    if (!before.entries.has(entry)) {
      await fs.rm(path.join(target, entry), { recursive: true, force: true });
    }
  }
}

/**
 * If an earlier `new` into `target` died during its set-up, remove what it created so this one
 * can start again; refuse, removing nothing, if any file was changed or added since.
 */
export async function recoverInterruptedSetup(target: string, log: Logger): Promise<void> {
  const text = await fs.readFile(path.join(target, setupMarker), "utf8").catch(() => undefined);
  if (text === undefined) return;
  const marker = parseMarker(target, text);
  const before: TargetBefore = { existed: marker.existed, entries: new Set(marker.entries) };
  // An unreadable manifest vouches for no file: every file then counts as changed, and is kept.
  const manifest = (parseJson(
    await fs.readFile(path.join(target, manifestPath), "utf8").catch(() => "{}"),
  ) ?? {}) as GeneratedManifest;
  const changed = await changedSinceGenerated(target, before, manifest.files ?? {});
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ", …" : "");
    const finish = setupCommands(Boolean(manifest.answers?.dataset?.source)).join(" && ");
    throw new ValidationError(
      `${target} holds a project whose set-up was interrupted, with changes made since (${shown}); ` +
        `finish its set-up in it (${finish}, then commit), ` +
        `or move it away — nothing was removed`,
    );
  }
  await removeCreated(target, before);
  log.warn(`${target} held a project whose set-up was interrupted: removed it, starting again`);
}

/** What recovery reads of the manifest: each generated file's hash, and whether data was fitted. */
interface GeneratedManifest {
  readonly files?: Record<string, { sha256: string }>;
  readonly answers?: { dataset?: { source?: unknown } };
}

/** Files that are neither as generated nor written by a post-step or a tool. */
async function changedSinceGenerated(
  target: string,
  before: TargetBefore,
  generated: Record<string, { sha256: string }>,
): Promise<string[]> {
  const changed: string[] = [];
  for (const file of await filesUnder(target, "", before)) {
    if (stepOutputs.has(file) || stepDirs.some((dir) => file.startsWith(dir))) continue;
    const expected = generated[file]?.sha256;
    if (sha256(await fs.readFile(path.join(target, file))) !== expected) changed.push(file);
  }
  return changed.sort();
}

async function filesUnder(root: string, dir: string, before: TargetBefore): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (toolDirs.has(entry.name) || (dir === "" && before.entries.has(entry.name))) continue;
    if (entry.isDirectory()) found.push(...(await filesUnder(root, relative, before)));
    else found.push(relative);
  }
  return found;
}
