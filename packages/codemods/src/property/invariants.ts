import { isUtf8 } from "node:buffer";
import { manifestPath } from "@ds-service/generator";
import type { MovedFile } from "../moves.js";
import { type Conflict, type Deletion, theirsSuffix } from "../upgrade-file.js";
import { type FileCase, finalPath, type Scenario } from "./model.js";

// The oracle: what any correct upgrade must have done with each generated file, judged from
// the model alone (v1, v2, the user's bytes) and the upgrade's result — never by re-running
// the code under test. Each check returns the broken invariant's name and the path.

export interface Outcome {
  /** The work tree after the upgrade, outside .git. */
  readonly tree: ReadonlyMap<string, Buffer>;
  /** Each work-tree file's permission bits. */
  readonly modes: ReadonlyMap<string, number>;
  readonly conflicts: readonly Conflict[];
  readonly deletions: readonly Deletion[];
  readonly moves: readonly MovedFile[];
  /** The v2 render as `new` writes it. */
  readonly fresh: ReadonlyMap<string, Buffer>;
}

const marker = "<<<<<<< yours";

/**
 * The oracle's own notion of bytes that must not be line-merged (not binary.ts's). Without the
 * base refs, v1's bytes are unknown to the upgrade (the manifest holds only their hash), so two
 * text versions of a file that was binary at v1 may meet in a text conflict.
 */
function opaque(f: FileCase, baseRefs: boolean): boolean {
  // A moved file is settled at its new path, by that path's extension.
  if (/\.(bin|png)$/.test(finalPath(f))) return true;
  const known = baseRefs ? [f.v1, f.v2, f.user] : [f.v2, f.user];
  return known.some((b) => b !== null && (b.includes(0) || !isUtf8(b)));
}

const toLf = (b: Buffer) => b.toString("latin1").replaceAll("\r\n", "\n");

const same = (a: Buffer | null, b: Buffer | null) =>
  a === null ? b === null : b !== null && a.equals(b);

/** Lines without their terminators (LF or CRLF): the unit a line merge keeps or drops. */
const lines = (b: Buffer) => b.toString("utf8").split(/\r?\n/);

/** Whether the text ends every line with CRLF ("crlf"), with LF ("lf"), or mixes them. */
function eolStyle(b: Buffer): "crlf" | "lf" | "mixed" | "none" {
  const text = b.toString("utf8");
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  if (lf === 0) return "none";
  return crlf === lf ? "crlf" : crlf === 0 ? "lf" : "mixed";
}

/**
 * The file without the template's side of its conflicts: that side quotes the template's lines
 * as they are (a mixed-ending template keeps its CRs there); the rest is in the user's endings.
 */
function withoutTheirs(b: Buffer): Buffer {
  const text = b.toString("latin1").replace(/^=======\r?\n[\s\S]*?^>>>>>>> template/gm, "");
  return Buffer.from(text, "latin1");
}

export function violations(scenario: Scenario, out: Outcome): string[] {
  const found: string[] = [];
  const fail = (invariant: string, f: FileCase, detail = "") =>
    found.push(`${invariant}: ${f.path}${detail ? ` (${detail})` : ""}`);
  const conflictOf = (p: string) => out.conflicts.find((c) => c.path === p);

  const expectedDeletions = new Set<string>();
  for (const f of scenario.files) {
    // A moved file is judged at its new path: its story continues there.
    const at = finalPath(f);
    const result = out.tree.get(at) ?? null;
    const beside = out.tree.get(`${at}${theirsSuffix}`) ?? null;
    const conflict = conflictOf(at);
    const edited = !same(f.user, f.v1);
    const templateChanged = !same(f.v2, f.v1);

    // Deletions: exactly the files one side deleted while the other kept or changed them.
    if (f.v1 !== null && f.v2 === null && f.user !== null)
      expectedDeletions.add(`${f.path} ${edited ? "template-deleted-edited" : "template-deleted"}`);
    if (f.v1 !== null && f.user === null && f.v2 !== null && (templateChanged || f.movedTo))
      expectedDeletions.add(`${f.path} user-deleted-changed`);

    // Renames: the file leaves its old path, whatever the user did there, and the move is
    // reported; the rest of the checks hold at the new path (the edit carried, or a conflict).
    if (f.movedTo !== undefined) {
      if (out.tree.has(f.path) || out.tree.has(`${f.path}${theirsSuffix}`))
        fail("a file the template moved is left behind at its old path", f, `→ ${f.movedTo}`);
      if (!out.moves.some((m) => m.from === f.path && m.to === f.movedTo && m.kind === "declared"))
        fail("a declared move is not reported", f, `→ ${f.movedTo}`);
    }

    // Modes: the executable bit is merged as one bit — the user's chmod wins, else v2's bit;
    // a file the user made keeps theirs, one the template alone has gets v2's, and the user's
    // other permission bits (0600, say) are kept through any change of the executable bit.
    const mode = out.modes.get(at);
    if (result !== null && mode !== undefined) {
      const userX = f.userMode === null ? f.x1 : (f.userMode & 0o111) !== 0;
      const wantX =
        f.v2 === null || (f.v1 === null && f.user !== null)
          ? userX
          : f.user === null
            ? f.x2
            : userX !== f.x1
              ? userX
              : f.x2;
      if (((mode & 0o111) !== 0) !== wantX)
        fail(
          "the executable bit is wrong",
          f,
          `${mode.toString(8)}, expected ${wantX ? "+x" : "-x"}`,
        );
      if (f.user !== null && f.userMode !== null && (mode & 0o666) !== (f.userMode & 0o666))
        fail(
          "the user's permission bits were not kept",
          f,
          `${f.userMode.toString(8)} → ${mode.toString(8)}`,
        );
    }

    // (c) per file: what the user did not touch becomes exactly the template's v2 bytes.
    if (!edited) {
      if (!same(result, f.v2)) fail("unedited file differs from the v2 render", f);
      if (conflict) fail("conflict reported for an unedited file", f);
      continue;
    }
    if (f.user === null) {
      // The user's delete stands.
      if (result !== null) fail("a file the user deleted came back", f);
      continue;
    }

    // (a) no byte the user wrote is lost.
    if (opaque(f, scenario.baseRefs)) {
      if (!same(result, f.user)) fail("the user's binary bytes are not at their path", f);
    } else if (result === null) {
      fail("the user's text file is gone", f);
    } else {
      const base = new Set(f.v1 === null ? [] : lines(f.v1));
      const kept = new Set(lines(result));
      const lost = lines(f.user).filter((l) => !base.has(l) && !kept.has(l));
      if (lost.length > 0) fail("a line the user wrote is lost", f, JSON.stringify(lost));
      // The user's line endings survive: a clean merge and a conflict file alike.
      const userEol = eolStyle(f.user);
      const baseEol = f.v1 === null ? "none" : eolStyle(f.v1);
      if (
        (userEol === "crlf" || userEol === "lf") &&
        userEol !== baseEol &&
        !["none", userEol].includes(eolStyle(withoutTheirs(result)))
      )
        fail("the user's line endings were not kept", f, `${userEol} → ${eolStyle(result)}`);
      // A dropped (or added) final newline survives a clean merge.
      const final = (b: Buffer) => b.at(-1) === 0x0a;
      if (
        !conflict &&
        f.v1 !== null &&
        [f.v1, f.user, result].every((b) => b.length > 0) &&
        final(f.user) !== final(f.v1) &&
        final(result) !== final(f.user)
      )
        fail("the user's final newline (or its absence) was not kept", f);
      // Nor is the template's side lost when it changed a file the user also has.
      if (f.v2 !== null && templateChanged && f.ownership2 !== "once") {
        const v1Lines = new Set(f.v1 === null ? [] : lines(f.v1));
        // Without a base the template's version is kept whole beside the user's (reported).
        const besideLines = new Set(conflict && beside !== null ? lines(beside) : []);
        const missing = lines(f.v2).filter(
          (l) => !v1Lines.has(l) && !kept.has(l) && !besideLines.has(l),
        );
        if (missing.length > 0)
          fail(
            "a line the template added is neither merged nor in a conflict",
            f,
            JSON.stringify(missing),
          );
      }
    }

    // (b) every conflict is reported, and what it reports exists.
    const markers = result !== null && !f.user.includes(marker) && result.includes(marker);
    if (markers && !conflict) fail("conflict markers written but no conflict reported", f);
    if (beside !== null && !conflict?.theirs) fail("a .ds-service-theirs file not reported", f);
    if (conflict?.theirs !== undefined && !same(out.tree.get(conflict.theirs) ?? null, f.v2))
      fail("the reported theirs file does not hold the template's bytes", f);
    const bothChanged = templateChanged && f.v2 !== null && !same(f.user, f.v2);
    if (bothChanged && f.ownership2 !== "once" && !conflict) {
      if (opaque(f, scenario.baseRefs))
        fail("a binary file changed on both sides without a conflict", f);
      else if (f.v1 === null)
        fail("a file added on both sides, differently, without a conflict", f);
      // A managed file the user only turned to CRLF takes the template's change silently.
      else if (f.ownership2 === "managed" && toLf(f.user) !== toLf(f.v1))
        fail("a managed file edited on both sides without a conflict", f);
    }
    if (f.v1 !== null && f.v2 === null && f.ownership !== "once" && !conflict)
      fail("an edited file the template deleted is kept without a conflict", f);
  }

  for (const m of out.moves)
    if (!scenario.files.some((f) => f.path === m.from && f.movedTo === m.to))
      found.push(`a move reported that v2 did not declare: ${m.from} → ${m.to} (${m.kind})`);

  const reported = new Set(out.deletions.map((d) => `${d.path} ${d.kind}`));
  for (const d of expectedDeletions)
    if (!reported.has(d)) found.push(`deletion not reported: ${d}`);
  for (const d of reported)
    if (!expectedDeletions.has(d)) found.push(`deletion reported that did not happen: ${d}`);

  // No stray file: only the model's paths, the template's versions beside them, the manifest.
  const allowed = new Set([
    manifestPath,
    ...scenario.files.flatMap((f) => [finalPath(f), `${finalPath(f)}${theirsSuffix}`]),
  ]);
  for (const p of out.tree.keys()) if (!allowed.has(p)) found.push(`stray file: ${p}`);
  if (!same(out.tree.get(manifestPath) ?? null, out.fresh.get(manifestPath) ?? null))
    found.push("the manifest differs from a fresh v2 render's");
  return found;
}
