import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHelpers } from "./escape.js";

describe("escape helpers", () => {
  it("quote and escape what would break a literal", () => {
    expect(escapeHelpers.toml('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(escapeHelpers.py("tab\there")).toBe('"tab\\there"');
    expect(escapeHelpers.yaml("\u007f")).toBe('"\\u007f"');
  });

  it("render a literal that reads back as the same string (JSON shares these escapes)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (value) => {
        for (const helper of Object.values(escapeHelpers)) {
          const literal = helper(value);
          expect(literal).not.toMatch(/[\u0000-\u001f\u007f]/);
          expect(JSON.parse(literal)).toBe(value);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("refuse a lone surrogate, which TOML and YAML cannot hold", () => {
    expect(() => escapeHelpers.toml("\ud800")).toThrow(/surrogate/);
  });
});
