import { pythonKeywords } from "../data/python-names.js";
import { ValidationError } from "../errors.js";
import type { DatasetProfile, ProfileColumn } from "./profile.js";

/** What `ds-service add feature` declares about a column the profile does not have yet. */
export interface FeatureSpec {
  readonly name: string;
  /** Numeric: the range the schema enforces. */
  readonly range?: readonly [number, number];
  /** Categorical: the allowed values. */
  readonly categories?: readonly string[];
  readonly nullable: boolean;
  /** Callers must send it from now on: a breaking change `make contract` holds to a major bump. */
  readonly required?: boolean;
  /** Categorical: score a category outside `categories` as "other" instead of refusing it. */
  readonly unseenOther?: boolean;
  /** A real value of the feature, put into the example and typical rows. */
  readonly example: string | number | null;
  readonly description: string;
  readonly source: string;
  readonly owner: string;
  readonly pii: NonNullable<ProfileColumn["pii"]>;
}

const identifier = /^[a-z][a-z0-9_]*$/;
type Row = DatasetProfile["examples"][number];

/** The profile with one more column, or a ValidationError saying what is wrong with it. */
export function addFeature(profile: DatasetProfile, spec: FeatureSpec): DatasetProfile {
  if (!identifier.test(spec.name) || pythonKeywords.has(spec.name)) {
    throw new ValidationError(
      `feature name "${spec.name}" must be a lowercase Python identifier (letters, digits, _)`,
    );
  }
  const taken = [
    profile.target.name,
    profile.id,
    profile.time,
    ...profile.features.map((f) => f.name),
  ];
  if (taken.includes(spec.name)) {
    throw new ValidationError(`"${spec.name}" is already a column of this project`);
  }
  const common = {
    name: spec.name,
    nulls: 0,
    nullRate: 0,
    nullable: spec.nullable,
    ...(spec.required ? {} : { callerOptional: true }),
    description: spec.description,
    source: spec.source,
    owner: spec.owner,
    pii: spec.pii,
  };
  let column: ProfileColumn;
  if (spec.categories) {
    const categories = [...new Set(spec.categories)];
    if (categories.length < 2) throw new ValidationError("--categories needs at least two values");
    if (spec.example !== null && !categories.includes(String(spec.example))) {
      throw new ValidationError(`--example ${spec.example} is not one of --categories`);
    }
    column = {
      ...common,
      kind: "categorical",
      categories: categories.map((value) => ({ value, count: 0 })),
      ...(spec.unseenOther ? { unseen: "other" as const } : {}),
    };
  } else if (spec.unseenOther) {
    throw new ValidationError("--unseen-other is for a categorical feature (--categories)");
  } else if (spec.range) {
    const [min, max] = spec.range;
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
      throw new ValidationError(
        `--min and --max must be numbers with min < max (got ${min}, ${max})`,
      );
    }
    const value = spec.example;
    if (value !== null && !(typeof value === "number" && value >= min && value <= max)) {
      throw new ValidationError(`--example ${value} is not a number within [${min}, ${max}]`);
    }
    column = {
      ...common,
      kind: "numeric",
      integer: false,
      min,
      max,
      quantiles: [],
      bounds: [min, max],
    };
  } else {
    throw new ValidationError(
      "a feature needs --min and --max (numeric) or --categories (categorical)",
    );
  }
  if (spec.example === null && !spec.nullable) {
    throw new ValidationError("--example is required unless the feature is --nullable");
  }
  const withValue = <T extends Record<string, unknown>>(row: T) => ({
    ...row,
    [spec.name]: spec.example,
  });
  return {
    ...profile,
    features: [...profile.features, column],
    examples: profile.examples.map(withValue),
    typical: profile.typical.map((t) => ({ ...t, row: withValue(t.row) })),
  };
}

/** The profile without one feature column. */
export function removeFeature(profile: DatasetProfile, name: string): DatasetProfile {
  if (!profile.features.some((f) => f.name === name)) {
    throw new ValidationError(
      `"${name}" is not a feature of this project (${profile.features.map((f) => f.name).join(", ")})`,
    );
  }
  if (profile.features.length === 1)
    throw new ValidationError("a model needs at least one feature");
  const without = (row: Row): Row =>
    Object.fromEntries(Object.entries(row).filter(([key]) => key !== name));
  return {
    ...profile,
    features: profile.features.filter((f) => f.name !== name),
    protected: profile.protected.filter((p) => p !== name),
    excluded: [...profile.excluded, name],
    examples: profile.examples.map(without),
    typical: profile.typical.map((t) => ({ ...t, row: without(t.row) })),
  };
}

/**
 * The profile with exactly `names` scoring an unseen category as "other" and every other
 * categorical feature refusing one (the default, so the field is left out).
 */
export function withUnseenOther(profile: DatasetProfile, names: readonly string[]): DatasetProfile {
  const categorical = profile.features.filter((f) => f.kind === "categorical").map((f) => f.name);
  for (const name of names) {
    if (!categorical.includes(name)) {
      throw new ValidationError(
        `--unseen-other ${name}: not a categorical feature (${categorical.join(", ") || "this data has none"})`,
      );
    }
  }
  const features = profile.features.map((column): ProfileColumn => {
    if (column.kind !== "categorical") return column;
    const { unseen: _, ...rest } = column;
    return names.includes(column.name) ? { ...rest, unseen: "other" } : rest;
  });
  return { ...profile, features };
}

/**
 * A fresh profile of new data, keeping what people reviewed in the old one: each surviving
 * column's description, source, owner, personal-data kind, nullability and what it does with
 * an unseen category, and its declared bounds while the new data still fits inside them.
 */
export function keepReviewed(before: DatasetProfile, after: DatasetProfile): DatasetProfile {
  const old = new Map(before.features.map((f) => [f.name, f]));
  const features = after.features.map((column): ProfileColumn => {
    const previous = old.get(column.name);
    if (!previous || previous.kind !== column.kind) return column;
    const reviewed = {
      ...column,
      ...(previous.description !== undefined ? { description: previous.description } : {}),
      ...(previous.source !== undefined ? { source: previous.source } : {}),
      ...(previous.owner !== undefined ? { owner: previous.owner } : {}),
      ...(previous.pii !== undefined ? { pii: previous.pii } : {}),
      ...(previous.nullable !== undefined
        ? { nullable: previous.nullable || column.nulls > 0 }
        : {}),
      ...(previous.callerOptional ? { callerOptional: true } : {}),
    };
    if (reviewed.kind === "categorical" && previous.kind === "categorical" && previous.unseen) {
      return { ...reviewed, unseen: previous.unseen };
    }
    if (reviewed.kind === "numeric" && previous.kind === "numeric" && previous.bounds) {
      const [low, high] = previous.bounds;
      if (reviewed.min >= low && reviewed.max <= high)
        return { ...reviewed, bounds: previous.bounds };
    }
    return reviewed;
  });
  return { ...after, features };
}
