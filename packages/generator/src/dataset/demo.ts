import type { DatasetProfile, ProfileColumn } from "./profile.js";

/**
 * The demo's profile: scikit-learn's bundled diabetes dataset, profiled once by the template's
 * `io/profile.py` and curated by hand — physiological bounds wider than the data (an unusual
 * but real patient is scored, a unit mistake is refused), descriptions and personal-data kinds.
 * Without `--data` every project renders from this, through the same templates as any dataset.
 */
const numeric = (
  name: string,
  bounds: [number, number],
  range: [number, number],
  quantiles: number[],
  integer: boolean,
  description: string,
  source: string,
): ProfileColumn => ({
  name,
  kind: "numeric",
  integer,
  min: range[0],
  max: range[1],
  quantiles,
  bounds,
  nulls: 0,
  nullRate: 0,
  description,
  pii: name === "age" ? "quasi_identifier" : "sensitive",
  source,
});

const visit = "patient record, baseline visit";
const features: ProfileColumn[] = [
  numeric("age", [0, 120], [19, 79], [30, 38.25, 50, 59, 65.9], true, "Age in years", visit),
  {
    name: "sex",
    kind: "categorical",
    categories: [
      { value: 1, count: 235 },
      { value: 2, count: 207 },
    ],
    nulls: 0,
    nullRate: 0,
    description: "Sex, coded 1 or 2",
    pii: "sensitive",
    source: visit,
  },
  numeric(
    "bmi",
    [10, 80],
    [18, 42.2],
    [21, 23.2, 25.7, 29.275, 32.28],
    false,
    "Body mass index, kg/m²",
    "clinic measurement",
  ),
  numeric(
    "bp",
    [30, 250],
    [62, 133],
    [78, 84, 93, 105, 113],
    false,
    "Average blood pressure, mm Hg",
    "clinic measurement",
  ),
  numeric(
    "s1",
    [50, 500],
    [97, 301],
    [147, 164.25, 186, 209.75, 233.9],
    true,
    "Total serum cholesterol, mg/dL",
    "lab panel",
  ),
  numeric(
    "s2",
    [0, 400],
    [41.6, 242.4],
    [78.42, 96.05, 113, 134.5, 152.18],
    false,
    "Low-density lipoproteins, mg/dL",
    "lab panel",
  ),
  numeric(
    "s3",
    [5, 200],
    [22, 99],
    [35, 40.25, 48, 57.75, 67],
    false,
    "High-density lipoproteins, mg/dL",
    "lab panel",
  ),
  numeric(
    "s4",
    [0.5, 30],
    [2, 9.09],
    [3, 3, 4, 5, 6],
    false,
    "Total cholesterol / HDL ratio",
    "lab panel",
  ),
  numeric(
    "s5",
    [2, 8],
    [3.2581, 6.107],
    [3.97217, 4.2767, 4.62005, 4.9972, 5.33702],
    false,
    "Log of serum triglycerides level",
    "lab panel",
  ),
  numeric(
    "s6",
    [20, 600],
    [58, 124],
    [77, 83.25, 91, 98, 106],
    true,
    "Blood sugar level, mg/dL",
    "lab panel",
  ),
];

const examples = [
  { age: 59, sex: 2, bmi: 32.1, bp: 101, s1: 157, s2: 93.2, s3: 38, s4: 4, s5: 4.8598, s6: 87 },
  { age: 48, sex: 1, bmi: 21.6, bp: 87, s1: 183, s2: 103.2, s3: 70, s4: 3, s5: 3.8918, s6: 69 },
  { age: 72, sex: 2, bmi: 30.5, bp: 93, s1: 156, s2: 93.6, s3: 41, s4: 4, s5: 4.6728, s6: 85 },
];

const common = {
  version: 1,
  source: null,
  rows: 442,
  id: null,
  time: null,
  // Sex is the demo's declared protected attribute: the fairness check has a group to compare.
  protected: ["sex"],
  excluded: [],
  features,
  examples,
} as const;

export const demoClassificationProfile: DatasetProfile = {
  ...common,
  protected: [...common.protected],
  excluded: [],
  examples: [...examples],
  target: {
    name: "progressed",
    task: "binary",
    nulls: 0,
    classes: [
      { value: 0, count: 221 },
      { value: 1, count: 221 },
    ],
    labelType: "integer",
  },
  typical: [
    {
      label: 0,
      row: {
        age: 48,
        sex: 1,
        bmi: 24,
        bp: 88,
        s1: 183,
        s2: 107.2,
        s3: 53,
        s4: 3,
        s5: 4.3567,
        s6: 88,
      },
    },
    {
      label: 1,
      row: {
        age: 52,
        sex: 1,
        bmi: 28.1,
        bp: 100,
        s1: 195,
        s2: 119.4,
        s3: 44,
        s4: 4,
        s5: 4.9127,
        s6: 93,
      },
    },
  ],
};

export const demoRegressionProfile: DatasetProfile = {
  ...common,
  protected: [...common.protected],
  excluded: [],
  examples: [...examples],
  target: { name: "progression", task: "regression", nulls: 0, min: 25, max: 346 },
  typical: [
    {
      label: null,
      row: {
        age: 50,
        sex: 1,
        bmi: 25.7,
        bp: 93,
        s1: 186,
        s2: 113,
        s3: 48,
        s4: 4,
        s5: 4.62005,
        s6: 91,
      },
    },
  ],
};
