import { describe, expect, it } from "vitest";
import { demoClassificationProfile as demo } from "./demo.js";
import { profileChanges } from "./diff.js";
import type { DatasetProfile } from "./profile.js";

describe("profileChanges", () => {
  it("is empty for the same profile", () => {
    expect(profileChanges(demo, demo)).toEqual([]);
  });

  it("names every kind of schema change a reviewer must see", () => {
    const features = demo.features
      .filter((f) => f.name !== "s6")
      .map((f) => {
        if (f.name === "sex" && f.kind === "categorical") {
          return {
            ...f,
            categories: [...f.categories, { value: 3, count: 1 }],
            unseen: "other" as const,
          };
        }
        if (f.name === "bmi" && f.kind === "numeric")
          return { ...f, max: 50, nulls: 4, nullRate: 0.01 };
        if (f.name === "age")
          return { ...f, kind: "categorical" as const, categories: [{ value: "old", count: 1 }] };
        return f;
      });
    const next: DatasetProfile = {
      ...demo,
      rows: 500,
      features: [
        ...features,
        {
          name: "s7",
          kind: "numeric",
          integer: false,
          min: 0,
          max: 1,
          quantiles: [],
          nulls: 0,
          nullRate: 0,
        },
      ],
    };
    expect(profileChanges(demo, next).map((c) => `${c.kind} ${c.column} ${c.detail}`)).toEqual([
      "kind-changed age numeric → categorical",
      "new-categories sex 3",
      "unseen-changed sex unseen categories: refuse → other",
      "wider-range bmi [18, 42.2] → [18, 50]",
      "new-nulls bmi 4 missing value(s)",
      "added s7 numeric",
      "removed s6 not in the new data",
      "rows  442 → 500 rows",
    ]);
  });
});
