import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { demoClassificationProfile as demo } from "./demo.js";
import { addFeature, keepReviewed, withUnseenOther } from "./edit.js";
import type { DatasetProfile } from "./profile.js";

const unseen = (profile: DatasetProfile) =>
  Object.fromEntries(
    profile.features.flatMap((f) => (f.kind === "categorical" ? [[f.name, f.unseen]] : [])),
  );

describe("what a categorical feature does with an unseen category", () => {
  it("is exactly the --unseen-other list: named features score it as other, the rest refuse", () => {
    const other = withUnseenOther(demo, ["sex"]);
    expect(unseen(other)).toEqual({ sex: "other" });
    expect(unseen(withUnseenOther(other, []))).toEqual({ sex: undefined });
  });

  it("names only categorical features", () => {
    expect(() => withUnseenOther(demo, ["bmi"])).toThrow(ValidationError);
    expect(() => withUnseenOther(demo, ["nope"])).toThrow(/not a categorical feature \(sex\)/);
  });

  it("survives a refresh: the fresh profile keeps the reviewed choice", () => {
    const reviewed = withUnseenOther(demo, ["sex"]);
    expect(unseen(keepReviewed(reviewed, demo))).toEqual({ sex: "other" });
    expect(unseen(keepReviewed(demo, demo))).toEqual({ sex: undefined });
  });

  it("is declared with a new categorical feature, never with a numeric one", () => {
    const spec = {
      name: "channel",
      nullable: false,
      example: "web",
      description: "sales channel",
      source: "orders",
      owner: "sales",
      pii: "none" as const,
      unseenOther: true,
    };
    const added = addFeature(demo, { ...spec, categories: ["web", "store"] });
    expect(unseen(added)).toEqual({ sex: undefined, channel: "other" });
    expect(() => addFeature(demo, { ...spec, example: 1, range: [0, 2] })).toThrow(
      /--unseen-other is for a categorical feature/,
    );
  });
});

describe("a feature added within a major is optional for callers", () => {
  const spec = {
    name: "waist",
    nullable: false,
    example: 90,
    range: [40, 200] as const,
    description: "waist in cm",
    source: "clinic",
    owner: "data-science",
    pii: "none" as const,
  };
  const optional = (profile: DatasetProfile) =>
    profile.features.filter((f) => f.callerOptional).map((f) => f.name);

  it("is optional unless declared required, and a refresh keeps that", () => {
    const added = addFeature(demo, spec);
    expect(optional(added)).toEqual(["waist"]);
    expect(optional(addFeature(demo, { ...spec, required: true }))).toEqual([]);
    const refreshed = { ...added, features: added.features.map(({ callerOptional, ...f }) => f) };
    expect(optional(keepReviewed(added, refreshed))).toEqual(["waist"]);
  });
});
