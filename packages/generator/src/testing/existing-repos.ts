// Small repositories of the shapes `add ci` and `adopt` meet, shared by their tests.

export const pipRepo = {
  "mylib/__init__.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
  "tests/test_add.py":
    "from mylib import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n",
  "requirements-dev.txt": "pytest>=8\n",
};

export const uvRepo = {
  "pyproject.toml": [
    "[project]",
    'name = "thing"',
    'version = "0.1.0"',
    'dependencies = ["numpy>=2"]',
    "",
    "[dependency-groups]",
    'dev = ["pytest>=8", "ruff>=0.6", "mypy>=1.10"]',
    "",
    "[tool.ruff]",
    "line-length = 100",
    "",
  ].join("\n"),
  "uv.lock": "version = 1\n",
  "src/thing/__init__.py": "",
  "tests/test_thing.py": "def test_ok() -> None:\n    assert True\n",
};

export const poetryRepo = {
  "pyproject.toml": '[tool.poetry]\nname = "p"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n',
  "poetry.lock": "",
  "p/__init__.py": "",
  "tests/test_p.py": "def test_ok() -> None:\n    assert True\n",
};
