"""Run pytest's own collection the way CI does, and the way the repository's files allow.

Three readings of "which tests exist", so a missing rubric test comes with its reason:
- every test file under `tests/`, ignoring conftest files and pytest.ini's `addopts`: what
  the repository contains (a conftest `collect_ignore` or an ini `--ignore` cannot hide it);
- plain `pytest`: what the project's configuration selects;
- each pytest command CI runs (`ci.ci_pytest_commands`), with its own arguments.
Options that only report (coverage, junit, durations) are dropped: they select nothing.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .ci import PytestCommand
from .plugin import MARKER, OUTPUT_ENV

PLUGIN: Final = f"{__package__}.plugin"
# Options that change what pytest reports or how it spreads the run, never what it selects:
# (name, takes a value).
REPORT_ONLY: Final = {
    "--cov": False,
    "--cov-report": True,
    "--cov-fail-under": True,
    "--cov-config": True,
    "--cov-branch": False,
    "--cov-append": False,
    "--no-cov": False,
    "--junitxml": True,
    "--junit-xml": True,
    "--durations": True,
    "--durations-min": True,
    # pytest-xdist: how many processes share the run, not which tests it has.
    "-n": True,
    "--numprocesses": True,
    "--maxprocesses": True,
    "--dist": True,
}

# Options that only change how a run is printed: `-q`, `-v`, `-s`, `-ra`, `--tb=short`, ...
PRINT_ONLY: Final = re.compile(r"-q+|-v+|-s|-r[a-zA-Z]+|--tb=\w+|--color=\w+")


@dataclass(frozen=True)
class Collection:
    """The tests one pytest invocation selects (test id → rubric ids), and its errors."""

    tests: dict[str, tuple[str, ...]]
    error: str | None = None


def ci_environment() -> dict[str, str]:
    """This environment as CI has it: CI=true, and no local PYTEST_ADDOPTS narrowing runs."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}, "CI": "true"}


def narrowing_args(args: tuple[str, ...]) -> list[str]:
    """The arguments of a pytest command that could leave tests out of its run.

    Paths, `--ignore`, `--deselect`, `-k`, `-m`, `-x`, `--lf`, ...: anything but the options
    that only report and a few that only change how the run is printed.
    """
    return [a for a in selecting_args(args) if not PRINT_ONLY.fullmatch(a)]


def selecting_args(args: tuple[str, ...]) -> list[str]:
    """`args` without the options that only report (`--cov=x`, `--junitxml out.xml`, ...)."""
    kept: list[str] = []
    skip_value = False
    for arg in args:
        if skip_value:
            skip_value = False
            continue
        name, has_value, _ = arg.partition("=")
        if name in REPORT_ONLY:
            skip_value = REPORT_ONLY[name] and not has_value
            continue
        kept.append(arg)
    return kept


def junit_path(args: tuple[str, ...]) -> Path | None:
    """Where a pytest command writes its junit XML report, if it does."""
    for index, arg in enumerate(args):
        name, has_value, value = arg.partition("=")
        if name in ("--junitxml", "--junit-xml"):
            return (
                Path(value if has_value else args[index + 1])
                if has_value or index + 1 < len(args)
                else None
            )
    return None


def collect(root: Path, args: list[str], env: dict[str, str] | None = None) -> Collection:
    """Run `pytest --collect-only -q <args>` in `root` and read what it selected."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "collected.json"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", *args, "--collect-only", "-q", "-p", PLUGIN],
            cwd=root,
            env={**ci_environment(), **(env or {}), OUTPUT_ENV: str(output)},
            capture_output=True,
            text=True,
            check=False,
        )
        tests = json.loads(output.read_text()) if output.is_file() else {}
    # 0: collected; 5: nothing selected. Anything else is a collection error CI would hit.
    error = None
    if result.returncode not in (0, 5):
        lines = [line for line in result.stdout.splitlines() if line.startswith("ERROR")]
        error = "; ".join(lines[:3]) or f"pytest exited {result.returncode}"
    return Collection({k: tuple(v) for k, v in tests.items()}, error)


def in_repository(root: Path) -> Collection:
    """Every marked test in the files under `tests/`, whatever conftest or pytest.ini say."""
    with tempfile.TemporaryDirectory() as scratch:
        ini = Path(scratch) / "pytest.ini"
        ini.write_text(f"[pytest]\nmarkers =\n    {MARKER}(*ids): rubric ids\n")
        args = ["-c", str(ini), "--rootdir", str(root.resolve()), "--noconftest"]
        args += [
            "--import-mode=importlib",
            "--continue-on-collection-errors",
            "-p",
            "no:cacheprovider",
        ]
        found = collect(root, [*args, "tests"])
    return Collection({k: v for k, v in found.tests.items() if v})


def by_configuration(root: Path) -> Collection:
    """What plain `pytest` selects with the project's pytest.ini and conftest files."""
    return collect(root, ["-p", "no:cacheprovider"])


def by_ci(root: Path, command: PytestCommand) -> Collection:
    """What one of CI's pytest commands selects."""
    return collect(
        root, [*selecting_args(command.args), "-p", "no:cacheprovider"], dict(command.env)
    )
