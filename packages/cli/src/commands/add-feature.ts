import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import {
  answersSchema,
  type Manifest,
  manifestPath,
  templateContext,
  ValidationError,
} from "@ds-service/generator";

/**
 * `ds-service add feature`: adds one numeric feature to a generated project, keeping its three
 * homes in step — the pandera schema, the feature registry and the tests — in one atomic edit.
 * Every edit is computed in memory first; any missing anchor or bad input is a ValidationError
 * (exit 2) before a byte is written, and the files are then replaced by rename.
 */

export const piiKinds = [
  "none",
  "quasi_identifier",
  "sensitive",
  "direct_identifier",
  "contact",
] as const;
export type PiiKind = (typeof piiKinds)[number];

export interface AddFeatureOptions {
  readonly projectDir: string;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly description: string;
  readonly owner: string;
  readonly source: string;
  readonly pii: PiiKind;
}

const identifier = /^[a-z][a-z0-9_]*$/;
const pythonKeywords = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);
const schemaField = /^ {4}([a-z][a-z0-9_]*): Series\[float\] = pa\.Field\(.*$/;

/** The path → new content of every file the feature touches, or a ValidationError. */
export async function planFeature(options: AddFeatureOptions): Promise<Map<string, string>> {
  const { name, min, max } = options;
  if (!identifier.test(name) || pythonKeywords.has(name)) {
    throw new ValidationError(
      `feature name "${name}" must be a lowercase Python identifier (letters, digits, _)`,
    );
  }
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new ValidationError(
      `--min and --max must be numbers with min < max (got ${min}, ${max})`,
    );
  }
  for (const [flag, value] of [
    ["--description", options.description],
    ["--owner", options.owner],
    ["--source", options.source],
  ] as const) {
    if (!value.trim() || /["\n\\]/.test(value)) {
      throw new ValidationError(`${flag} must be non-empty, on one line, without " or \\`);
    }
  }
  const manifest = await readManifest(options.projectDir);
  const answers = answersSchema.safeParse(manifest.answers);
  if (!answers.success) throw new ValidationError(`${manifestPath}: unreadable answers`);
  const pkg = templateContext(answers.data, { generator: "", template: "" }).package;
  const files = {
    schema: `src/${pkg}/core/schemas.py`,
    registry: "confs/features.yaml",
    test: `tests/core/features/test_${name}.py`,
  };
  const schema = await readProjectFile(options.projectDir, files.schema);
  const registry = await readProjectFile(options.projectDir, files.registry);

  const lines = schema.split("\n");
  const fields = lines.flatMap((line, i) => (schemaField.test(line) ? [i] : []));
  const existing = fields.map((i) => schemaField.exec(lines[i] ?? "")?.[1]);
  if (fields.length === 0) {
    throw new ValidationError(
      `${files.schema}: no \`<name>: Series[float] = pa.Field(...)\` lines`,
    );
  }
  if (existing.includes(name) || new RegExp(`^ {2}${name}:`, "m").test(registry)) {
    throw new ValidationError(
      `feature "${name}" already exists in ${files.schema} or ${files.registry}`,
    );
  }
  if (!/^features:\s*$/m.test(registry)) {
    throw new ValidationError(`${files.registry}: no top-level \`features:\` mapping`);
  }
  // Insert after the last field, past its closing parenthesis when it spans several lines.
  let last = fields[fields.length - 1] ?? 0;
  if (!(lines[last] ?? "").trimEnd().endsWith(")")) {
    while (last < lines.length - 1 && (lines[last] ?? "").trim() !== ")") last += 1;
  }
  const args = `ge=${num(min)}, le=${num(max)}, description="${options.description}"`;
  const oneLine = `    ${name}: Series[float] = pa.Field(${args})`;
  // ruff's line length is 100: wrap the way ruff format would.
  const field =
    oneLine.length <= 100
      ? oneLine
      : `    ${name}: Series[float] = pa.Field(\n        ${args}\n    )`;
  lines.splice(last + 1, 0, field);

  const entry =
    `  ${name}: {owner: "${options.owner}", source: "${options.source}", ` +
    `description: "${options.description}", pii: ${options.pii}, ` +
    "max_transform_us_per_row: 200, max_bytes_per_row: 16}";
  const registryAfter = `${registry.replace(/\n*$/, "")}\n${entry}\n`;
  if (!registryAfter.trimEnd().endsWith(entry) || !isLastBlock(registry, "features")) {
    throw new ValidationError(
      `${files.registry}: \`features:\` must be the last block to append to`,
    );
  }

  const plan = new Map([
    [files.schema, lines.join("\n")],
    [files.registry, registryAfter],
    [files.test, featureTest(pkg, name, min, max)],
  ]);
  // Example rows the behaviour and explain tests build by hand get the feature's midpoint.
  const mid = num((min + max) / 2);
  for (const [file, opener] of [
    ["tests/core/test_model.py", "    typical = {"],
    ["tests/jobs/test_explain.py", "ROW = {"],
  ] as const) {
    const text = await fs.readFile(path.join(options.projectDir, file), "utf8").catch(() => null);
    const updated = text === null ? null : addToExampleRow(text, opener, name, mid);
    if (text !== null && updated !== null && updated !== text) plan.set(file, updated);
  }
  return plan;
}

/** Apply a plan: temp files first, then renames, so a failure leaves the project untouched. */
export async function writeFeature(projectDir: string, plan: Map<string, string>): Promise<void> {
  const staged: [string, string][] = [];
  try {
    for (const [file, content] of plan) {
      const target = path.join(projectDir, file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.ds-service-${randomBytes(4).toString("hex")}`;
      await fs.writeFile(temp, content);
      staged.push([temp, target]);
    }
  } catch (error) {
    await Promise.all(staged.map(([temp]) => fs.rm(temp, { force: true })));
    throw error;
  }
  for (const [temp, target] of staged) await fs.rename(temp, target);
}

export async function addFeature(options: AddFeatureOptions): Promise<string[]> {
  const plan = await planFeature(options);
  await writeFeature(options.projectDir, plan);
  return [...plan.keys()];
}

async function readManifest(projectDir: string): Promise<Manifest> {
  try {
    return JSON.parse(await fs.readFile(path.join(projectDir, manifestPath), "utf8")) as Manifest;
  } catch {
    throw new ValidationError(
      `${projectDir} is not a ds-service project (no readable ${manifestPath}); run it from the project root or pass --cwd`,
    );
  }
}

async function readProjectFile(projectDir: string, file: string): Promise<string> {
  try {
    return await fs.readFile(path.join(projectDir, file), "utf8");
  } catch {
    throw new ValidationError(`${file} is missing: add feature edits it`);
  }
}

function isLastBlock(yamlText: string, key: string): boolean {
  const topLevel = yamlText.split("\n").filter((line) => /^[a-z_]+:/.test(line));
  return topLevel[topLevel.length - 1]?.startsWith(`${key}:`) ?? false;
}

function num(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

function featureTest(pkg: string, name: string, min: number, max: number): string {
  const [low, mid, high] = [num(min), num((min + max) / 2), num(max)];
  const below = num(min - Math.max(1, (max - min) / 10));
  const above = num(max + Math.max(1, (max - min) / 10));
  return `"""The declared expectations of \`${name}\`, added by \`ds-service add feature\`."""

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from ${pkg}.core.schemas import FEATURES, Features
from ${pkg}.io.quality import load_registry

pytestmark = pytest.mark.ml_test_score("D1", "D6")

ROOT = Path(__file__).resolve().parents[3]
COLUMN = Features.to_schema().columns["${name}"]


def test_is_in_schema_and_registry() -> None:
    """Schema and registry agree the feature exists (D6: they stay in step)."""
    assert "${name}" in FEATURES
    assert "${name}" in load_registry(ROOT).features


@pytest.mark.parametrize("value", [${low}, ${mid}, ${high}])
def test_accepts_its_declared_range(value: float) -> None:
    """Values from ${low} to ${high}, the range given when the feature was added, are valid."""
    COLUMN.validate(pd.DataFrame({"${name}": [value]}))


@pytest.mark.parametrize("value", [${below}, ${above}])
def test_refuses_values_outside_its_range(value: float) -> None:
    """A value outside the declared range is refused by the one schema."""
    with pytest.raises(pa.errors.SchemaError):
        COLUMN.validate(pd.DataFrame({"${name}": [value]}))
`;
}

/** Add `"name": value,` to a `# fmt: skip` dict literal that lists one row of every feature. */
function addToExampleRow(text: string, opener: string, name: string, value: string): string {
  const start = text.indexOf(opener);
  const end = start < 0 ? -1 : text.indexOf("}  # fmt: skip", start);
  if (end < 0) return text;
  const lineStart = text.lastIndexOf("\n", end) + 1;
  const indent = " ".repeat(opener.search(/\S/) + 4);
  return `${text.slice(0, lineStart)}${indent}"${name}": ${value},\n${text.slice(lineStart)}`;
}
