import { pythonKeywords } from "../data/python-names.js";
import type { DatasetProfile, ProfileColumn } from "./profile.js";

/** One schema column as the templates render it; every literal is precomputed here. */
export interface FeatureContext {
  /** The column's name in the data, in requests and in metrics. */
  readonly name: string;
  /** The schema class attribute: the name itself, or a Python-safe stand-in (`alias` maps it). */
  readonly ident: string;
  readonly needsAlias: boolean;
  readonly isNumeric: boolean;
  readonly isCategorical: boolean;
  readonly nullable: boolean;
  /** `float` or `str`: the pandas dtype the schema coerces to. */
  readonly pyType: "float" | "str";
  /** Numeric: the bounds the schema enforces, as Python literals. */
  readonly ge?: string;
  readonly le?: string;
  /** Categorical: the allowed values as a Python list literal. */
  readonly categoriesPy?: string;
  /** Categorical: an unseen category is scored as "other" (`UNSEEN_AS_OTHER`), not refused. */
  readonly unseenOther: boolean;
  readonly description: string;
  readonly pii: string;
  readonly source: string;
  readonly owner: string;
}

export interface DatasetContext {
  /** Rendered from scikit-learn's bundled diabetes data rather than the team's own file. */
  readonly isDemo: boolean;
  readonly profile: DatasetProfile;
  readonly features: readonly FeatureContext[];
  readonly target: string;
  readonly labelIsText: boolean;
  /** Classification: the labels, as a Python list literal, in the model's `classes_` order. */
  readonly classesPy: string;
  readonly classCount: number;
  readonly hasNulls: boolean;
  readonly hasCategorical: boolean;
  readonly hasTextCategorical: boolean;
  /** The features scoring an unseen category as "other", a tuple laid out as `ruff format` would. */
  readonly unseenOtherPy: string;
  /** The features callers may leave out (`CALLER_OPTIONAL`), a tuple as `ruff format` lays it out. */
  readonly callerOptionalPy: string;
  readonly idColumn: string | null;
  readonly timeColumn: string | null;
}

/** A Python literal for a JSON number or string; JSON's escapes are valid Python escapes. */
export function pyLiteral(value: string | number): string {
  if (typeof value === "string") return JSON.stringify(value);
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A tuple of strings: `()`, `("a",)` on one line, or one item a line (magic trailing comma). */
function pyTuple(items: readonly string[]): string {
  if (items.length === 0) return "()";
  if (items.length === 1) return `(${pyLiteral(items[0] as string)},)`;
  return `(\n${items.map((item) => `    ${pyLiteral(item)},\n`).join("")})`;
}

function identifier(name: string, taken: Set<string>): string {
  let ident = name
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  if (ident === "" || /^[0-9]/.test(ident)) ident = `f_${ident}`;
  if (pythonKeywords.has(ident) || ident.startsWith("_")) ident = `${ident}_`;
  let unique = ident;
  for (let n = 2; taken.has(unique); n++) unique = `${ident}_${n}`;
  taken.add(unique);
  return unique;
}

/** Bounds wider than the data by half its range: an unusual value passes, a unit slip fails. */
function bounds(column: Extract<ProfileColumn, { kind: "numeric" }>): [number, number] {
  if (column.bounds) return column.bounds;
  const span = column.max - column.min || Math.abs(column.max) || 1;
  const round = (x: number) => Number(x.toPrecision(6));
  const low = column.min >= 0 ? Math.max(0, column.min - span / 2) : column.min - span / 2;
  return [round(low), round(column.max + span / 2)];
}

function featureContext(column: ProfileColumn, taken: Set<string>): FeatureContext {
  const ident = identifier(column.name, taken);
  const common = {
    name: column.name,
    ident,
    needsAlias: ident !== column.name,
    nullable: column.nullable ?? column.nulls > 0,
    description: column.description ?? column.name,
    pii: column.pii ?? "none",
    source: column.source ?? "training data",
    owner: column.owner ?? "data-science",
  };
  if (column.kind === "numeric") {
    const [ge, le] = bounds(column);
    return {
      ...common,
      isNumeric: true,
      isCategorical: false,
      unseenOther: false,
      pyType: "float",
      ge: pyLiteral(ge),
      le: pyLiteral(le),
    };
  }
  const values = column.categories.map((c) => c.value);
  const text = values.some((v) => typeof v === "string");
  const sorted = text ? values.map(String).sort() : [...values].sort((a, b) => +a - +b);
  return {
    ...common,
    isNumeric: false,
    isCategorical: true,
    unseenOther: column.unseen === "other",
    pyType: text ? "str" : "float",
    categoriesPy: `[${sorted.map((v) => (text ? JSON.stringify(String(v)) : pyLiteral(v))).join(", ")}]`,
  };
}

export function datasetContext(profile: DatasetProfile): DatasetContext {
  const taken = new Set<string>();
  const features = profile.features.map((column) => featureContext(column, taken));
  const classes = profile.target.classes?.map((c) => c.value) ?? [];
  const labelIsText = profile.target.labelType === "string";
  const sortedClasses = labelIsText
    ? classes.map(String).sort()
    : [...classes].map(Number).sort((a, b) => a - b);
  return {
    isDemo: profile.source === null,
    profile,
    features,
    target: profile.target.name,
    labelIsText,
    classesPy: `[${sortedClasses.map((v) => (labelIsText ? JSON.stringify(v) : String(v))).join(", ")}]`,
    classCount: classes.length,
    hasNulls: features.some((f) => f.nullable),
    hasCategorical: features.some((f) => f.isCategorical),
    hasTextCategorical: features.some((f) => f.pyType === "str" && f.isCategorical),
    unseenOtherPy: pyTuple(features.filter((f) => f.unseenOther).map((f) => f.name)),
    callerOptionalPy: pyTuple(
      profile.features.filter((column) => column.callerOptional).map((column) => column.name),
    ),
    idColumn: profile.id,
    timeColumn: profile.time,
  };
}
