import * as z from "zod";

/**
 * The data profile: what `new --data` learned from the team's file (the template's
 * `io/profile.py` writes it), validated here and kept in the answers, so the manifest records
 * it and an upgrade re-renders from the same description. Every file is rendered from it.
 */
const label = z.union([z.string(), z.number().int()]);
const count = z.number().int().nonnegative();
const cell = z.union([z.string(), z.number(), z.null()]);
const row = z.record(z.string(), cell);

const common = {
  name: z.string().min(1),
  nulls: count,
  nullRate: z.number().min(0).max(1),
  /** Free text a person may edit in confs/features.yaml; defaults to the column name. */
  description: z.string().optional(),
  /** The kind of personal data (ML Test Score D4/D5); reviewed by the team. */
  pii: z.enum(["none", "quasi_identifier", "sensitive", "direct_identifier", "contact"]).optional(),
  source: z.string().optional(),
  /** Who answers for the feature (the registry's `owner`). */
  owner: z.string().optional(),
  /**
   * Whether requests may leave it out as null; absent, it follows the data (any null seen).
   * `add feature --nullable` sets it for a column the data has not shown yet.
   */
  nullable: z.boolean().optional(),
  /**
   * Callers may leave it out (the Pipeline imputes it): a feature added within the model's
   * current major (`add feature`), so callers written against that major keep working.
   */
  callerOptional: z.boolean().optional(),
};

export const numericColumnSchema = z
  .object({
    ...common,
    kind: z.literal("numeric"),
    integer: z.boolean(),
    min: z.number(),
    max: z.number(),
    /** The 10th, 25th, 50th, 75th and 90th percentiles. */
    quantiles: z.array(z.number()).length(5).or(z.array(z.number()).length(0)),
    /** Bounds the schema enforces; when absent, derived from the data's range. */
    bounds: z.tuple([z.number(), z.number()]).optional(),
  })
  .strict();

export const categoricalColumnSchema = z
  .object({
    ...common,
    kind: z.literal("categorical"),
    categories: z.array(z.object({ value: label, count }).strict()).min(1),
    /**
     * What serving does with a category training never saw: `refuse` it (the default, when
     * absent) or score it as one "other" category. The team's choice (`--unseen-other`), kept
     * across `data refresh`.
     */
    unseen: z.enum(["refuse", "other"]).optional(),
  })
  .strict();

export const columnSchema = z.discriminatedUnion("kind", [
  numericColumnSchema,
  categoricalColumnSchema,
]);

export const targetSchema = z
  .object({
    name: z.string().min(1),
    task: z.enum(["binary", "multiclass", "regression"]),
    nulls: count,
    classes: z
      .array(z.object({ value: label, count }).strict())
      .min(2)
      .optional(),
    labelType: z.enum(["integer", "string"]).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict()
  .superRefine((target, ctx) => {
    const classes = target.classes?.length ?? 0;
    if (target.task === "regression" && (target.min === undefined || target.max === undefined)) {
      ctx.addIssue({ code: "custom", message: "a regression target needs its min and max" });
    }
    if (target.task === "binary" && classes !== 2) {
      ctx.addIssue({ code: "custom", message: `a binary target needs 2 classes, not ${classes}` });
    }
    if (target.task === "multiclass" && classes < 3) {
      ctx.addIssue({ code: "custom", message: "a multiclass target needs 3 or more classes" });
    }
  });

export const datasetProfileSchema = z
  .object({
    version: z.literal(1),
    source: z
      .object({
        file: z.string().min(1),
        format: z.enum(["csv", "parquet"]),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        bytes: count,
      })
      .strict()
      // The demo's bundled dataset has no file.
      .nullable(),
    rows: z.number().int().positive(),
    target: targetSchema,
    id: z.string().nullable(),
    time: z.string().nullable(),
    protected: z.array(z.string()),
    excluded: z.array(z.string()),
    features: z.array(columnSchema).min(1),
    /** A few real rows (features only), one with a missing value where the data has any. */
    examples: z.array(row).min(1),
    /** Per class (or once, for regression): each feature's median or mode in that group. */
    typical: z.array(z.object({ label: label.nullable(), row }).strict()).min(1),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const names = profile.features.map((f) => f.name);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate) ctx.addIssue({ code: "custom", message: `feature ${duplicate} twice` });
    for (const name of profile.protected) {
      if (!names.includes(name)) {
        ctx.addIssue({ code: "custom", message: `protected column ${name} is not a feature` });
      }
    }
    for (const example of [...profile.examples, ...profile.typical.map((t) => t.row)]) {
      const keys = Object.keys(example).sort();
      if (keys.join("\0") !== [...names].sort().join("\0")) {
        ctx.addIssue({ code: "custom", message: "an example row does not hold every feature" });
        break;
      }
    }
  });

export type DatasetProfile = z.output<typeof datasetProfileSchema>;
export type ProfileColumn = z.output<typeof columnSchema>;
