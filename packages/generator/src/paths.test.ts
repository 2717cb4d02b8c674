import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { assertInside, outputPath } from "./paths.js";

describe("outputPath", () => {
  it.each([
    ["src/__package__/__init__.py", "src/churn_model/__init__.py"],
    ["_gitignore", ".gitignore"],
    ["_github/workflows/ci.yml", ".github/workflows/ci.yml"],
    ["pyproject.toml.hbs", "pyproject.toml"],
    ["src/__package__/__main__.py.hbs", "src/churn_model/__main__.py"],
    ["Makefile", "Makefile"],
  ])("%s → %s", (source, expected) => {
    expect(outputPath(source, "churn_model")).toBe(expected);
  });
});

describe("assertInside", () => {
  const target = path.resolve("/tmp/target");

  it("resolves a normal relative path inside the target", () => {
    expect(assertInside(target, "src/a.py")).toBe(path.join(target, "src/a.py"));
  });

  it.each([
    "../x",
    "a/../../x",
    "/etc/passwd",
    "C:/x",
    "a\\..\\x",
    "a//b",
    "./a",
    "",
    "a\u0000b",
    "a\nb",
  ])("refuses %j", (rel) => {
    expect(() => assertInside(target, rel)).toThrow(ValidationError);
  });
});
