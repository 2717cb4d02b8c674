"""How each test ended in CI's own run, read from the junit XML report that run wrote.

`make test` writes `reports/junit.xml`; CI runs `make score` after `make check` in the same
job, so the report read is the real run's. When the report is missing or older than the
sources, the same pytest command (reporting options aside) runs once to write a fresh one.
"""

import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Final
from xml.etree import ElementTree

from .ci import PytestCommand
from .collect import ci_environment, junit_path, selecting_args

# What a run reads: a report older than any of these is stale.
SOURCES: Final = ("src", "tests", "confs", "Makefile", "pytest.ini", "pyproject.toml", "uv.lock")


def junit_key(nodeid: str) -> tuple[str, str]:
    """(classname, name) pytest's junit report gives a test id (`mangle_test_address`)."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names[:-1]), names[-1]


def read_junit(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(classname, name) → (outcome, message): passed, skipped or failed, per test case."""
    outcomes: dict[tuple[str, str], tuple[str, str]] = {}
    # The report is written by this repository's own pytest run, not received from outside.
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        key = (case.get("classname", ""), case.get("name", ""))
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", child.get("message", "")
                break
            if child.tag == "skipped":
                outcome, message = "skipped", child.get("message", "")
        outcomes[key] = (outcome, message)
    return outcomes


def _newest(root: Path, names: Iterable[str]) -> float:
    """The latest modification time among the sources (files, or files under folders)."""
    times = [0.0]
    for name in names:
        path = root / name
        files = path.rglob("*") if path.is_dir() else [path]
        times += [f.stat().st_mtime for f in files if f.is_file() and "__pycache__" not in f.parts]
    return max(times)


def ci_report(
    root: Path, command: PytestCommand
) -> tuple[dict[tuple[str, str], tuple[str, str]], str]:
    """The outcomes of CI's pytest command, and where they come from (said in the score)."""
    written = junit_path(command.args)
    report = root / written if written is not None else None
    if report is not None and report.is_file() and report.stat().st_mtime >= _newest(root, SOURCES):
        return read_junit(report), f"{written}, written by `{command.source}`"
    why = "it writes no junit report" if report is None else f"{written} is missing or stale"
    print(f"running CI's `{command.text}` for its outcomes ({why})", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "junit.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", *selecting_args(command.args), f"--junitxml={fresh}"],
            cwd=root,
            env={**ci_environment(), **dict(command.env)},
            check=False,
        )
        outcomes = read_junit(fresh) if fresh.is_file() else {}
    return outcomes, f"a fresh run of `{command.source}`'s pytest ({why})"
