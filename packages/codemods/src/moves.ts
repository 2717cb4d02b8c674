import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  assertInside,
  type FileSource,
  isBinary,
  type Manifest,
  outputPath,
  type Plan,
} from "@ds-service/generator";
import semver from "semver";
import { git, type UpgradeDeps } from "./git-exec.js";
import type { StagedTree } from "./tree.js";

/** A file the new template version moved: the project's file at `from` goes to `to`. */
export interface Move {
  readonly from: string;
  readonly to: string;
  /** `declared` in the template's moves.json, or `detected` by git's rename detection. */
  readonly kind: "declared" | "detected";
  /** For a detected move: how similar the two versions are, in percent (git's index). */
  readonly similarity?: number;
}

/** A move the upgrade made, and what became of the project's file. */
export interface MovedFile extends Move {
  readonly reason: string;
}

/** The least similarity at which a file gone from the render and a new one count as a move. */
export const moveSimilarity = 60;

export interface MoveInputs {
  readonly manifest: Manifest;
  readonly next: Plan;
  readonly base: ReadonlyMap<string, Buffer> | null;
  readonly tree: StagedTree;
  readonly sources: readonly FileSource[];
  /** The Python package name, which `__package__` in a template path becomes. */
  readonly package: string;
}

/**
 * The moves between the project's render and the new one: each is a file the project has from
 * the old render (`manifest.files`) that the new render lacks, paired with a file new in the
 * render. Declared moves come first; the rest are paired by git's rename detection.
 */
export async function findMoves(inputs: MoveInputs, deps: UpgradeDeps = {}): Promise<Move[]> {
  const { manifest, next } = inputs;
  const isGone = (p: string) => p in manifest.files && !next.has(p);
  const isNew = (p: string) => next.has(p) && !(p in manifest.files);
  const moves: Move[] = [...declaredMoves(inputs)]
    .filter(([from, to]) => isGone(from) && isNew(to))
    .map(([from, to]) => ({ from, to, kind: "declared" }));
  const claimed = new Set(moves.flatMap((m) => [m.from, m.to]));
  // Only a file the project still has is paired by similarity: detection is a guess made to
  // carry an edit, and with nothing at the old path it would claim a move of nothing (and leave
  // the new file unwritten, or merge the project's own file there against an unrelated base).
  // Found by upgrade.property.test.ts (seed 946175171).
  const had = await Promise.all(Object.keys(manifest.files).map((p) => inputs.tree.exists(p)));
  const gone = Object.keys(manifest.files).filter((p, i) => had[i] && isGone(p) && !claimed.has(p));
  const added = [...next.keys()].filter((p) => isNew(p) && !claimed.has(p));
  const all = [...moves, ...(await detectedMoves(gone, added, inputs, deps))];
  // A project that has a file at both paths made the new one itself: carrying the old one
  // there would merge two files of the user's into one. Each path then goes its own way (a
  // deletion of the old, a new file meeting the user's), both reported. Found by
  // upgrade.property.test.ts (seed 915146896).
  const both = await Promise.all(
    all.map(async (m) => (await inputs.tree.exists(m.from)) && (await inputs.tree.exists(m.to))),
  );
  return all.filter((_, i) => !both[i]);
}

/**
 * The declared moves that fall between each package's recorded version and the one rendered
 * now, as old output path → new output path; a file moved twice in the range goes to its last
 * place.
 */
function declaredMoves(inputs: MoveInputs): Map<string, string> {
  const moved = new Map<string, string>();
  for (const source of inputs.sources) {
    const from = inputs.manifest.packages[source.packageName];
    if (from === undefined || !semver.valid(from)) continue;
    const inRange = (source.moves ?? [])
      .filter((m) => semver.gt(m.version, from) && semver.lte(m.version, source.packageVersion))
      .sort((a, b) => semver.compare(a.version, b.version));
    for (const move of inRange) {
      const [a, b] = [outputPath(move.from, inputs.package), outputPath(move.to, inputs.package)];
      const earlier = [...moved].filter(([, to]) => to === a);
      for (const [origin] of earlier) moved.set(origin, b);
      if (earlier.length === 0) moved.set(a, b);
    }
  }
  return moved;
}

/**
 * Pairs files gone from the render with new ones as `git diff -M` would: the two sides are
 * written to a scratch directory and compared with `git diff --no-index`, so the similarity is
 * git's own and nothing is written to the project's repository. A gone file is compared in its
 * base version, or as the project has it when no base is kept.
 */
async function detectedMoves(
  gone: readonly string[],
  added: readonly string[],
  inputs: MoveInputs,
  deps: UpgradeDeps,
): Promise<Move[]> {
  if (gone.length === 0 || added.length === 0) return [];
  // The scratch copy is not the project: written with the sync API, it stays out of the
  // upgrade's own (journaled, fault-tested) node:fs/promises writes, and its files are small.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ds-service-moves-"));
  try {
    const put = (side: string, rel: string, content: Buffer) => {
      const file = assertInside(path.join(scratch, side), rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    };
    fs.mkdirSync(path.join(scratch, "old"));
    fs.mkdirSync(path.join(scratch, "new"));
    // Only text is paired by similarity: a binary file's edit cannot be merged across, and
    // git's similarity of binary bytes says little. A binary file moves when it is declared.
    for (const rel of gone) {
      const content = inputs.base?.get(rel) ?? (await inputs.tree.readBytes(rel));
      if (content !== null && !isBinary(rel, content, await inputs.tree.readBytes(rel)))
        put("old", rel, content);
    }
    for (const rel of added) {
      const planned = inputs.next.get(rel);
      if (planned !== undefined && !isBinary(rel, planned.content))
        put("new", rel, planned.content);
    }
    const args = ["diff", "--no-index", "--no-ext-diff", `-M${moveSimilarity}%`, "--name-status"];
    const r = await git(deps, scratch, [...args, "-z", "old", "new"]);
    // --no-index exits 1 when the sides differ, which they always do here.
    if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`git diff failed: ${r.stderr}`);
    return renames(r.text);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The `R<score>` entries of `git diff --name-status -z old new` output. */
function renames(output: string): Move[] {
  const fields = output.split("\0");
  const moves: Move[] = [];
  for (let i = 0; i < fields.length; ) {
    const status = fields[i] ?? "";
    if (!/^[RC]/.test(status)) {
      i += status === "" ? 1 : 2;
      continue;
    }
    const [from, to] = [fields[i + 1] ?? "", fields[i + 2] ?? ""];
    if (status.startsWith("R")) {
      moves.push({
        from: from.replace(/^old\//, ""),
        to: to.replace(/^new\//, ""),
        kind: "detected",
        similarity: Number(status.slice(1)),
      });
    }
    i += 3;
  }
  return moves;
}
