import { parse } from "smol-toml";

/**
 * The ruff, mypy, pytest and coverage tables of pyproject.toml as templates 0.1.0 and 0.2.0
 * rendered them (0.1.0 had no `markers`). A project whose tables still hold these values has
 * nothing of its own in them, so they can go: @ds-service/config-python's managed files carry
 * the same settings from template 0.3.0 on.
 */
const released = parse(`
[tool.ruff]
line-length = 100
target-version = "py311"
src = ["src", "tests"]

[tool.ruff.lint]
select = ["E", "W", "F", "I", "B", "UP", "SIM", "RUF", "N", "C4", "PT", "RET", "PTH", "D"]
ignore = ["D105", "D107"]

[tool.ruff.lint.pydocstyle]
convention = "google"

[tool.ruff.lint.per-file-ignores]
"tests/**" = ["D100", "D104"]

[tool.mypy]
python_version = "3.11"
strict = true
files = ["src", "tests"]
mypy_path = "src"
plugins = ["pydantic.mypy"]
warn_unreachable = true

[[tool.mypy.overrides]]
module = ["sklearn.*", "joblib.*"]
ignore_missing_imports = true

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = ["-ra", "--strict-markers", "--strict-config", "--import-mode=importlib"]
xfail_strict = true
markers = [
  "ml_test_score(*ids): the ML Test Score rubric ids this test automates (see AGENTS.md)",
]

[tool.coverage.run]
branch = true

[tool.coverage.report]
exclude_also = ['if __name__ == "__main__":']
`).tool as Record<string, unknown>;

const pytest010 = parse(`
[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = ["-ra", "--strict-markers", "--strict-config", "--import-mode=importlib"]
xfail_strict = true
`).tool as Record<string, unknown>;

/** Every value a released template gave `tool.<name>`. */
export const releasedTools: Readonly<Record<string, readonly unknown[]>> = {
  ruff: [released.ruff],
  mypy: [released.mypy],
  pytest: [released.pytest, pytest010.pytest],
  coverage: [released.coverage],
};

/** Equality of parsed TOML values, whatever the key order. */
export function sameToml(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}
