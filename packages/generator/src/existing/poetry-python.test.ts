import { describe, expect, it } from "vitest";
import { poetryPythonSpecifier } from "./poetry-python.js";

describe("poetryPythonSpecifier", () => {
  it.each([
    ["^3.10", ">=3.10,<4.0"],
    ["^3.8.1", ">=3.8.1,<4.0"],
    ["~3.10", ">=3.10,<3.11"],
    ["~3", ">=3.0,<4.0"],
    [">=3.9,<3.13", ">=3.9,<3.13"],
    [">=3.9 <3.13", ">=3.9,<3.13"],
    ["~=3.10", "~=3.10"],
    ["3.11.*", "==3.11.*"],
    ["3.11", "==3.11"],
  ])("%s → %s", (poetry, pep440) => {
    expect(poetryPythonSpecifier(poetry)).toBe(pep440);
  });

  it.each(["*", "^3.8 || ^4.0", "", "not a version"])(
    "%j says nothing PEP 440 can: undefined",
    (poetry) => {
      expect(poetryPythonSpecifier(poetry)).toBeUndefined();
    },
  );
});
