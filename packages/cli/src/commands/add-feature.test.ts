import fs from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { listTree, testdir } from "@ds-service/test-utils";
import { describe, expect, it } from "vitest";
import type { Io } from "../io.js";
import { run } from "../main.js";

const schema = `class Features(pa.DataFrameModel):
    """The model's inputs."""

    age: Series[float] = pa.Field(ge=0, le=120, description="Age in years.")
    s6: Series[float] = pa.Field(ge=20, le=600, description="Blood sugar level, mg/dL.")

    class Config:
        """Coerce."""
`;
const registry = `min_importance: 0.002
features:
  age: {owner: a, source: b, description: c, pii: none, max_transform_us_per_row: 1, max_bytes_per_row: 1}
`;
const testModel = `def patient(**overrides: float) -> pd.DataFrame:
    typical = {
        "age": 50.0, "s6": 91.0,
    }  # fmt: skip
    return typical
`;

async function project(): Promise<string> {
  return testdir({
    ".ds-service/manifest.json": JSON.stringify({
      answers: { name: "churn-model", task: "regression" },
    }),
    "src/churn_model/core/schemas.py": schema,
    "confs/features.yaml": registry,
    "tests/core/test_model.py": testModel,
  });
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const files = await listTree(dir);
  const entries = await Promise.all(
    files.map(async (f) => [f, await fs.readFile(path.join(dir, f), "utf8")] as const),
  );
  return Object.fromEntries(entries);
}

async function cli(cwd: string, args: string[]) {
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  const io: Io = { cwd, env: {}, stdout: sink([]), stderr: sink(err), stdinIsTTY: false };
  const code = await run(["add", "feature", ...args], { io });
  return { code, stderr: err.join("") };
}

const valid = ["--min", "0", "--max", "40", "--description", "Waist in cm", "--source", "clinic"];

describe("ds-service add feature", () => {
  it("adds the feature to the schema, the registry, its own test and the example rows", async () => {
    const dir = await project();
    const { code, stderr } = await cli(dir, ["waist", ...valid, "--pii", "sensitive"]);
    expect(code, stderr).toBe(0);
    const after = await snapshot(dir);
    const schemaLines = after["src/churn_model/core/schemas.py"]?.split("\n") ?? [];
    expect(schemaLines[5]).toBe(
      '    waist: Series[float] = pa.Field(ge=0.0, le=40.0, description="Waist in cm")',
    );
    expect(after["confs/features.yaml"]).toContain(
      '  waist: {owner: "data-science", source: "clinic", description: "Waist in cm", pii: sensitive,',
    );
    const test = after["tests/core/features/test_waist.py"] ?? "";
    expect(test).toContain("from churn_model.core.schemas import FEATURES, Features");
    expect(test).toContain('pytestmark = pytest.mark.ml_test_score("D1", "D6")');
    expect(test).toContain("[-4.0, 44.0]");
    expect(after["tests/core/test_model.py"]).toContain(
      '        "waist": 20.0,\n    }  # fmt: skip',
    );
  });

  it("wraps a long field the way ruff formats it, and appends after a wrapped field", async () => {
    const dir = await project();
    const long = "A very long description of the waist circumference measured at the clinic, cm";
    const first = await cli(dir, [
      "waist",
      ...valid.slice(0, 4),
      "--description",
      long,
      ...valid.slice(6),
    ]);
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(dir, ["hip", ...valid]);
    expect(second.code, second.stderr).toBe(0);
    const text = await fs.readFile(path.join(dir, "src/churn_model/core/schemas.py"), "utf8");
    expect(text).toContain(
      `    waist: Series[float] = pa.Field(\n        ge=0.0, le=40.0, description="${long}"\n    )\n    hip: Series[float]`,
    );
  });

  it.each([
    ["a bad name", ["Waist-cm", ...valid], /lowercase Python identifier/],
    ["a Python keyword", ["class", ...valid], /lowercase Python identifier/],
    ["an existing feature", ["age", ...valid], /already exists/],
    [
      "min not below max",
      ["waist", ...valid.slice(0, 2), "--max", "0", ...valid.slice(4)],
      /min < max/,
    ],
    ["a non-numeric bound", ["waist", "--min", "x", ...valid.slice(2)], /min < max|numbers/],
    [
      "a quote in free text",
      ["waist", ...valid.slice(0, 4), "--description", 'a "b"', ...valid.slice(6)],
      /without "/,
    ],
    ["an unknown PII kind", ["waist", ...valid, "--pii", "secret"], /./],
    ["a missing required option", ["waist", "--min", "0"], /./],
  ])("refuses %s with exit 2 and writes nothing", async (_case, args, message) => {
    const dir = await project();
    const before = await snapshot(dir);
    const { code, stderr } = await cli(dir, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(await snapshot(dir)).toEqual(before);
  });

  it("refuses a directory that is not a generated project", async () => {
    const dir = await testdir({ "README.md": "hi" });
    const { code, stderr } = await cli(dir, ["waist", ...valid]);
    expect(code).toBe(2);
    expect(stderr).toContain("is not a ds-service project");
    expect(await listTree(dir)).toEqual(["README.md"]);
  });
});
