import { insertLinesAfter, ownsItsLines, removeLines, type Span, type TextEdit } from "./splice.js";

/**
 * What the structural sync sees in a file, Python or YAML alike: named containers (a class, a
 * dict or a mapping, found at the same place in the project's file and in the new render)
 * whose members have keys (a field, an entry, a pair).
 */
export interface Member extends Span {
  readonly key: string;
  /** The member's source text, as its file has it. */
  readonly text: string;
}

export interface Container {
  /** Where the container is (`class Features`, `features.yaml: features`): the same in both files. */
  readonly id: string;
  readonly members: readonly Member[];
  /** Entries are separated by commas (a dict, a flow mapping); fields and block pairs are not. */
  readonly commas: boolean;
}

/** After a member on its last line: at most its comma and a comment. */
const trailing = /^\s*,?\s*(#.*)?$/;

/**
 * The edits that make each container's membership of `key` in `ours` what `theirs` (the new
 * render) has:
 * a member the render added goes in after the member that precedes it there (or after the
 * last), as the render wrote it; one it dropped goes, with its lines, when the template had
 * rendered it (`pristine`: the base's containers) — a member the project wrote itself stays.
 * Null when a change cannot be made safely (a container without members, a member sharing its
 * lines with code).
 */
export function syncMembers(
  ours: string,
  mine: ReadonlyMap<string, Container>,
  theirs: ReadonlyMap<string, Container>,
  pristine: ReadonlyMap<string, Container>,
  key: (member: Member) => boolean,
): TextEdit[] | null {
  const edits: TextEdit[] = [];
  for (const their of theirs.values()) {
    const own = mine.get(their.id);
    if (own === undefined) continue;
    for (const wanted of their.members.filter(key)) {
      if (own.members.some((m) => m.key === wanted.key)) continue;
      const made = insertMember(ours, own, their, wanted);
      if (made === null) return null;
      edits.push(...made);
    }
    const rendered = pristine.get(their.id)?.members ?? [];
    for (const gone of own.members.filter(key)) {
      if (their.members.some((m) => m.key === gone.key)) continue;
      if (!rendered.some((m) => m.key === gone.key)) continue;
      const made = removeMember(ours, own, gone);
      if (made === null) return null;
      edits.push(made);
    }
  }
  return edits;
}

function insertMember(
  ours: string,
  own: Container,
  their: Container,
  wanted: Member,
): TextEdit[] | null {
  const before = their.members[their.members.indexOf(wanted) - 1];
  const anchor = own.members.find((m) => m.key === before?.key) ?? own.members.at(-1);
  if (anchor === undefined) return null;
  if (ownsItsLines(ours, anchor, trailing)) {
    if (!own.commas) return [insertLinesAfter(ours, anchor, wanted.text)];
    const comma = /^\s*,/.test(ours.slice(anchor.end)) ? [] : [{ ...at(anchor.end), text: "," }];
    return [...comma, insertLinesAfter(ours, anchor, `${wanted.text},`)];
  }
  return own.commas ? [{ ...at(anchor.end), text: `, ${wanted.text}` }] : null;
}

function removeMember(ours: string, own: Container, gone: Member): TextEdit | null {
  if (ownsItsLines(ours, gone, trailing)) return removeLines(ours, gone);
  if (!own.commas) return null;
  const after = /^\s*,\s*/.exec(ours.slice(gone.end));
  if (after !== null) return { start: gone.start, end: gone.end + after[0].length, text: "" };
  const before = /,\s*$/.exec(ours.slice(0, gone.start));
  return before === null ? null : { start: before.index, end: gone.end, text: "" };
}

const at = (index: number) => ({ start: index, end: index });
