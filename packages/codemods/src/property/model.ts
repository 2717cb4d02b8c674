import {
  type FileSource,
  type Ownership,
  serviceTemplateSource,
  type TemplateFile,
  type TemplateMove,
} from "@ds-service/generator";
import fc from "fast-check";

// The generated model behind upgrade.property.test.ts: a tiny template at two versions and a
// user's edits, all as bytes. Versions are derived from v1 by edit scripts rather than drawn
// independently, so both sides often touch the same file, the same lines, or make the same
// change — where a 3-way merge has something to get wrong.

/** One path's story: the template's bytes at v1 and v2 and the user's bytes before the upgrade. */
export interface FileCase {
  readonly path: string;
  readonly ownership: Ownership;
  /** The ownership v2 declares (a template may move a file from one class to another). */
  readonly ownership2: Ownership;
  readonly v1: Buffer | null;
  readonly v2: Buffer | null;
  readonly user: Buffer | null;
  /** Whether the template ships the file executable (a script: 0o755) at v1 and at v2. */
  readonly x1: boolean;
  readonly x2: boolean;
  /** The mode the user chmod-ed the file to; null: as `new` wrote it. */
  readonly userMode: number | null;
  /**
   * Where v2 moved the file (declared in its moves), a path no other case uses; the v2 bytes
   * and ownership2 are the file's at that path. Only set when both v1 and v2 have the file.
   */
  readonly movedTo?: string;
}

export interface Scenario {
  readonly files: readonly FileCase[];
  /** Whether the clone has refs/ds-service/* (the 3-way merge base); false: a two-way upgrade. */
  readonly baseRefs: boolean;
}

/**
 * Paths chosen so every branch of upgradeFile is reachable: text, a known binary extension
 * (.bin, .png: never line-merged even when their bytes are text), and a nested directory.
 * A declared move (`movedTo`) pairs a case's path with one of these no case uses.
 */
export const pathPool = [
  "a.txt",
  "b.md",
  "dir/c.py",
  "dir/d.bin",
  "e.png",
  "f.yaml",
  "g.txt",
] as const;

const lineArb = fc
  .constantFrom("a", "b", "c", "d", "e", "", "  x = 1", "é ü")
  .map((line) => Buffer.from(line, "utf8"));

/** A file as lines with each one's terminator, so CRLF, mixed endings and no final newline are all expressible. */
type Segment = readonly [line: Buffer, term: "\n" | "\r\n" | ""];

const textArb = fc
  .record({
    lines: fc.array(lineArb, { maxLength: 6 }),
    eol: fc.constantFrom("\n", "\r\n", "mixed"),
    final: fc.boolean(),
    crlfMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ lines, eol, final, crlfMask }) =>
    join(
      lines.map((line, i): Segment => {
        const term = eol === "mixed" ? (crlfMask[i] ? "\r\n" : "\n") : eol;
        return [line, i === lines.length - 1 && !final ? "" : (term as Segment[1])];
      }),
    ),
  );

/** Bytes no text path may touch: NUL, a lone 0xFF, a truncated sequence, an invalid pair. */
const binaryArb = fc
  .tuple(
    fc.uint8Array({ maxLength: 12 }),
    fc.constantFrom([0x00], [0xff], [0xc3, 0x28], [0xe2, 0x82], [0x0d, 0x0a, 0x00]),
    fc.nat(12),
  )
  .map(([bytes, bad, at]) => {
    const i = Math.min(at, bytes.length);
    return Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]);
  });

const contentArb = fc.oneof(
  { weight: 8, arbitrary: textArb },
  { weight: 1, arbitrary: binaryArb },
  // Text with one invalid UTF-8 sequence: decoding it would replace the sequence for good.
  { weight: 1, arbitrary: fc.tuple(textArb, binaryArb).map(([t, b]) => Buffer.concat([t, b])) },
);

const editArb = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(8), line: lineArb }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(8) }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(8), line: lineArb }),
  fc.constant({ kind: "crlf" as const }),
  fc.constant({ kind: "lf" as const }),
  fc.constant({ kind: "final" as const }),
);
type Edit = typeof editArb extends fc.Arbitrary<infer T> ? T : never;

const changeArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "keep" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "delete" as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      edits: fc.array(editArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("new" as const), content: contentArb }) },
);
type Change = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

const ownershipArb = fc.constantFrom<Ownership>("managed", "merged", "once");

/** Mostly as `new` wrote it; else a chmod, private (0600, 0700) or not, executable or not. */
const userModeArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(0o644, 0o755, 0o600, 0o700) },
);

const fileCaseArb = (path: string): fc.Arbitrary<FileCase> =>
  fc
    .record({
      ownership: ownershipArb,
      movesClass: fc.nat(9),
      ownership2: ownershipArb,
      inV1: fc.nat(5),
      v1: contentArb,
      template: changeArb,
      user: changeArb,
      // The user made the template's own change (by hand, or by cherry-picking it).
      same: fc.nat(5),
      x1: fc.nat(3).map((n) => n === 0),
      flipsMode: fc.nat(4).map((n) => n === 0),
      userMode: userModeArb,
    })
    .map((r) => {
      const v1 = r.inV1 === 0 ? null : r.v1;
      const v2 = apply(v1, r.template);
      const user = r.same === 0 ? v2 : apply(v1, r.user);
      const ownership2 = r.movesClass === 0 ? r.ownership2 : r.ownership;
      const x2 = r.flipsMode !== r.x1;
      // A file the user made (absent at v1) has the mode they gave it.
      const userMode = v1 === null && user !== null ? (r.userMode ?? 0o644) : r.userMode;
      return { path, ownership: r.ownership, ownership2, v1, v2, user, x1: r.x1, x2, userMode };
    });

/** Each case's move, if any, to a pool path the scenario does not use, each at most once. */
const withMoves = (files: FileCase[]): fc.Arbitrary<FileCase[]> => {
  const free = pathPool.filter((p) => !files.some((f) => f.path === p));
  if (free.length === 0) return fc.constant(files);
  const choice = fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...free) },
  );
  return fc.tuple(...files.map(() => choice)).map((targets) => {
    const taken = new Set<string>();
    return files.map((f, i) => {
      const to = targets[i];
      if (to == null || taken.has(to) || f.v1 === null || f.v2 === null) return f;
      taken.add(to);
      return { ...f, movedTo: to };
    });
  });
};

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(
    fc.subarray([...pathPool], { minLength: 1, maxLength: 4 }),
    fc.nat(4).map((n) => n > 0),
  )
  .chain(([paths, baseRefs]) =>
    fc
      .tuple(...paths.map(fileCaseArb))
      .chain(withMoves)
      .map((files) => ({ files, baseRefs })),
  );

/** A scenario with no user edit at all: what invariant (c) needs. */
export const uneditedArb: fc.Arbitrary<Scenario> = scenarioArb.map((scenario) => ({
  ...scenario,
  files: scenario.files.map((f) => ({ ...f, user: f.v1, userMode: null })),
}));

function apply(content: Buffer | null, change: Change): Buffer | null {
  switch (change.kind) {
    case "keep":
      return content;
    case "delete":
      return null;
    case "new":
      return change.content;
    case "edit":
      // An edit of an absent file is an add: the edit script seeds it.
      return change.edits.reduce<Buffer>(editOnce, content ?? Buffer.from("a\nb\n"));
  }
}

function editOnce(content: Buffer, edit: Edit): Buffer {
  const segments = split(content);
  const at = (n: number) => (segments.length === 0 ? 0 : n % (segments.length + 1));
  switch (edit.kind) {
    case "insert": {
      const i = at(edit.at);
      const term = segments[0]?.[1] || "\n";
      // Inserting after an unterminated last line terminates it first.
      const fixed = segments.map(([l, t]): Segment => [l, t || term]);
      return join([...fixed.slice(0, i), [edit.line, term], ...fixed.slice(i)]);
    }
    case "delete":
      return join(segments.filter((_, i) => i !== at(edit.at)));
    case "replace":
      return join(segments.map(([l, t], i): Segment => [i === at(edit.at) ? edit.line : l, t]));
    case "crlf":
      return join(segments.map(([l, t]): Segment => [l, t && "\r\n"]));
    case "lf":
      return join(segments.map(([l, t]): Segment => [l, t && "\n"]));
    case "final": {
      const last = segments.at(-1);
      if (last === undefined) return content;
      const term = last[1] === "" ? segments.at(-2)?.[1] || "\n" : "";
      return join([...segments.slice(0, -1), [last[0], term]]);
    }
  }
}

/** Bytes split at LF (keeping CRLF pairs together); on binary too, where lines are just runs. */
function split(content: Buffer): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  while (start < content.length) {
    const nl = content.indexOf(0x0a, start);
    if (nl === -1) {
      out.push([content.subarray(start), ""]);
      break;
    }
    const crlf = nl > start && content[nl - 1] === 0x0d;
    out.push([content.subarray(start, crlf ? nl - 1 : nl), crlf ? "\r\n" : "\n"]);
    start = nl + 1;
  }
  return out;
}

function join(segments: readonly Segment[]): Buffer {
  return Buffer.concat(segments.flatMap(([l, t]) => [l, Buffer.from(t, "latin1")]));
}

/**
 * The template as the build stores it: one source under the service template's own name, an
 * executable file with mode 0o755 (as precompile.mjs records a script), v2 declaring its moves.
 */
export function templateSource(
  version: string,
  scenario: Scenario,
  side: "v1" | "v2",
): FileSource[] {
  const files: TemplateFile[] = [];
  const moves: TemplateMove[] = [];
  for (const f of scenario.files) {
    const content = f[side];
    if (content === null) continue;
    const source = side === "v2" && f.movedTo !== undefined ? f.movedTo : f.path;
    if (source !== f.path) moves.push({ version, from: f.path, to: source });
    files.push({
      source,
      ownership: side === "v1" ? f.ownership : f.ownership2,
      ...((side === "v1" ? f.x1 : f.x2) ? { mode: 0o755 } : {}),
      content: content.toString("base64"),
      encoding: "base64",
    });
  }
  const packageName = serviceTemplateSource.packageName;
  return [{ packageName, packageVersion: version, files, moves }];
}

/** Where the case's file is after the upgrade: its new path when v2 moved it. */
export const finalPath = (f: FileCase) => f.movedTo ?? f.path;

/** A readable counterexample: bytes as JSON strings when they are text, hex otherwise. */
export function describeScenario(scenario: Scenario): string {
  const show = (b: Buffer | null) =>
    b === null
      ? "absent"
      : isPlainText(b)
        ? JSON.stringify(b.toString("utf8"))
        : `hex:${b.toString("hex")}`;
  return scenario.files
    .map(
      (f) =>
        `${f.path}${f.movedTo ? ` (moved to ${f.movedTo})` : ""} [${f.ownership}${f.ownership2 === f.ownership ? "" : `→${f.ownership2}`}] v1=${show(f.v1)} v2=${show(f.v2)} user=${show(f.user)} mode ${mode(f.x1)}→${mode(f.x2)}, user ${f.userMode === null ? "unchanged" : f.userMode.toString(8)}`,
    )
    .concat(scenario.baseRefs ? [] : ["(no refs/ds-service/*: a clone that did not fetch them)"])
    .join("\n");
}

const mode = (x: boolean) => (x ? "755" : "644");

function isPlainText(b: Buffer): boolean {
  return !b.includes(0) && Buffer.from(b.toString("utf8"), "utf8").equals(b);
}
