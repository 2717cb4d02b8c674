import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { parseAnswers, planProject } from "../generate.js";
import { datasetContext } from "./context.js";
import { demoClassificationProfile } from "./demo.js";
import { withUnseenOther } from "./edit.js";
import { type DatasetProfile, datasetProfileSchema } from "./profile.js";

/** A profile shaped like the profiler's output for a small, awkward dataset. */
function profile(overrides: Partial<DatasetProfile> = {}): DatasetProfile {
  const features: DatasetProfile["features"] = [
    {
      name: "bill length (mm)",
      kind: "numeric",
      integer: false,
      min: 32,
      max: 60,
      quantiles: [36, 39, 44, 48, 51],
      nulls: 2,
      nullRate: 0.01,
    },
    {
      name: "class",
      kind: "numeric",
      integer: true,
      min: -4,
      max: 6,
      quantiles: [],
      nulls: 0,
      nullRate: 0,
    },
    {
      name: "island",
      kind: "categorical",
      categories: [
        { value: 'Dream "west"', count: 3 },
        { value: "Biscoe", count: 5 },
      ],
      nulls: 0,
      nullRate: 0,
    },
    {
      name: "2nd",
      kind: "numeric",
      integer: true,
      min: 0,
      max: 1,
      quantiles: [],
      nulls: 0,
      nullRate: 0,
    },
  ];
  const row = { "bill length (mm)": 40, class: 1, island: "Biscoe", "2nd": 0 };
  return datasetProfileSchema.parse({
    version: 1,
    source: { file: "../penguins.csv", format: "csv", sha256: "a".repeat(64), bytes: 10 },
    rows: 8,
    target: {
      name: "species",
      task: "multiclass",
      nulls: 0,
      labelType: "string",
      classes: [
        { value: "Gentoo", count: 3 },
        { value: "Adelie", count: 3 },
        { value: "Chinstrap", count: 2 },
      ],
    },
    id: null,
    time: null,
    protected: ["island"],
    excluded: [],
    features,
    examples: [row, { ...row, "bill length (mm)": null }],
    typical: [{ label: "Adelie", row }],
    ...overrides,
  });
}

describe("datasetContext", () => {
  it("maps column names that are not Python identifiers, and says so with an alias", () => {
    const features = datasetContext(profile()).features;
    expect(features.map((f) => [f.ident, f.needsAlias])).toEqual([
      ["bill_length_mm", true],
      ["class_", true],
      ["island", false],
      ["f_2nd", true],
    ]);
  });

  it("widens numeric bounds by half the range, never below zero for non-negative data", () => {
    const [bill, klass] = datasetContext(profile()).features;
    expect([bill?.ge, bill?.le]).toEqual(["18.0", "74.0"]);
    expect([klass?.ge, klass?.le]).toEqual(["-9.0", "11.0"]);
    expect(bill?.nullable).toBe(true);
  });

  it("renders categories and classes as sorted Python literals, quotes escaped", () => {
    const ctx = datasetContext(profile());
    expect(ctx.features[2]?.categoriesPy).toBe('["Biscoe", "Dream \\"west\\""]');
    expect(ctx.classesPy).toBe('["Adelie", "Chinstrap", "Gentoo"]');
    expect(ctx.labelIsText).toBe(true);
    expect(ctx.isDemo).toBe(false);
    expect(ctx.hasNulls && ctx.hasTextCategorical).toBe(true);
  });

  it("refuses unseen categories by default; --unseen-other features go in UNSEEN_AS_OTHER", async () => {
    expect(datasetContext(profile()).unseenOtherPy).toBe("()");
    const one = withUnseenOther(profile(), ["island"]);
    expect(datasetContext(one).features.map((f) => f.unseenOther)).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(datasetContext(one).unseenOtherPy).toBe('("island",)');
    const plan = await planProject(
      parseAnswers({ name: "penguins", task: "multiclass", dataset: one }),
      "/tmp/never-written",
    );
    const schema = plan.get("src/penguins/core/schemas.py")?.content.toString("utf8") ?? "";
    expect(schema).toContain('UNSEEN_AS_OTHER: Final[tuple[str, ...]] = ("island",)');
    expect(schema).toContain('    # Another category is scored as "other", not refused');
    const two = profile({
      features: [
        ...profile().features,
        {
          name: "sex",
          kind: "categorical",
          categories: [{ value: "f", count: 4 }],
          nulls: 0,
          nullRate: 0,
        },
      ],
      examples: [{ ...profile().examples[0], sex: "f" }],
      typical: [{ label: "Adelie", row: { ...profile().typical[0]?.row, sex: "f" } }],
    });
    expect(datasetContext(withUnseenOther(two, ["island", "sex"])).unseenOtherPy).toBe(
      '(\n    "island",\n    "sex",\n)',
    );
  });

  it("keeps the demo's curated bounds and numeric categories", () => {
    const ctx = datasetContext(demoClassificationProfile);
    expect(ctx.isDemo).toBe(true);
    expect(ctx.features.find((f) => f.name === "sex")?.categoriesPy).toBe("[1.0, 2.0]");
    expect(ctx.features.find((f) => f.name === "bmi")).toMatchObject({ ge: "10.0", le: "80.0" });
    expect(ctx.classesPy).toBe("[0, 1]");
  });
});

describe("answers with a dataset", () => {
  it("refuses profiles that cannot make a model, with the reason", () => {
    const bad = {
      ...profile(),
      target: { name: "y", task: "binary", nulls: 0, classes: [{ value: 1, count: 3 }] },
    };
    expect(() => parseAnswers({ name: "m", dataset: bad })).toThrow(ValidationError);
    const stray = { ...profile(), protected: ["nope"] };
    expect(() => parseAnswers({ name: "m", dataset: stray })).toThrow(/protected column nope/);
    const partial = { ...profile(), examples: [{ island: "Biscoe" }] };
    expect(() => parseAnswers({ name: "m", dataset: partial })).toThrow(/example row/);
  });

  it("refuses a task the profile contradicts, and multiclass without data", () => {
    expect(() => parseAnswers({ name: "m", task: "regression", dataset: profile() })).toThrow(
      /does not match the profiled target/,
    );
    expect(() => parseAnswers({ name: "m", task: "multiclass" })).toThrow(/--data/);
    expect(parseAnswers({ name: "m", task: "multiclass", dataset: profile() }).task).toBe(
      "multiclass",
    );
  });

  it("renders the project from the profile: schema, loader config, and no demo column", async () => {
    const answers = parseAnswers({ name: "penguins", task: "multiclass", dataset: profile() });
    const plan = await planProject(answers, "/tmp/never-written");
    const text = (rel: string) => plan.get(rel)?.content.toString("utf8") ?? "";
    const schema = text("src/penguins/core/schemas.py");
    expect(schema).toContain('alias="bill length (mm)"');
    expect(schema).toContain(
      'island: Series[str] = pa.Field(\n        isin=["Biscoe", "Dream \\"west\\""]',
    );
    expect(schema).toContain('CLASSES: Final = ["Adelie", "Chinstrap", "Gentoo"]');
    expect(text("confs/data.yaml")).toContain('source: "../penguins.csv"');
    expect(text("pyproject.toml")).toContain('"pyarrow>=18"');
    expect(schema).not.toMatch(/\b(bmi|s5)\b/);
    const manifest = JSON.parse(text(".ds-service/manifest.json"));
    expect(manifest.answers.dataset.target.name).toBe("species");
  });

  it("keeps confs/data.yaml out of the demo, and pyarrow out of its runtime dependencies", async () => {
    const plan = await planProject(parseAnswers({ name: "demo" }), "/tmp/never-written");
    expect(plan.has("confs/data.yaml")).toBe(false);
    const pyproject = plan.get("pyproject.toml")?.content.toString("utf8") ?? "";
    const [runtime, groups] = pyproject.split("[dependency-groups]");
    expect(runtime).not.toContain("pyarrow");
    // `make batch-score` writes Parquet, and its tests run in `make check`: a dev dependency.
    expect(groups).toContain('"pyarrow>=18"');
  });
});
