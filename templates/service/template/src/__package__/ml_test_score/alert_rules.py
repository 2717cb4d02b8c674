"""Alert-rule tests (promtool) as evidence: counted only from the result CI's run leaves.

`make monitoring-test` runs `promtool test rules` on monitoring/prometheus/rules.test.yaml
and leaves `reports/monitoring-test.json` (the exit code) and `reports/monitoring-test.log`
(promtool's output, which names every failed test). The mapping to rubric ids lives in the
test file, next to each test: a name starting with `[N4]` (or `[N2, N7]`) counts for those
ids. A tagged test is evidence only when CI runs `make monitoring-test`, and it passed only
when that run's result exists, is not older than the rules, and does not name it as failed.
"""

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from ..yaml_parse import parse_yaml
from .rubric import RUBRIC
from .score import PASSED, Evidence

TARGET: Final = "monitoring-test"
RULES: Final = Path("monitoring/prometheus/rules.yaml")
RULE_TESTS: Final = Path("monitoring/prometheus/rules.test.yaml")
RESULT: Final = Path("reports/monitoring-test.json")
LOG: Final = Path("reports/monitoring-test.log")
_TAG: Final = re.compile(r"^\[(\w+(?:\s*,\s*\w+)*)\]")

Runner = Callable[[Path], None]


def tagged_tests(root: Path) -> dict[str, tuple[str, ...]]:
    """Test name → rubric ids, for every test of rules.test.yaml whose name is tagged."""
    path = root / RULE_TESTS
    if not path.is_file():
        return {}
    tests: list[dict[str, Any]] = (parse_yaml(path.read_text()) or {}).get("tests") or []
    found: dict[str, tuple[str, ...]] = {}
    for test in tests:
        name = str(test.get("name", ""))
        match = _TAG.match(name)
        if match:
            ids = tuple(i.strip() for i in match.group(1).split(","))
            unknown = sorted(set(ids) - set(RUBRIC))
            if unknown:
                raise ValueError(f"{RULE_TESTS}: {name!r} names unknown rubric id(s) {unknown}")
            found[name] = ids
    return found


def run_monitoring_test(root: Path) -> None:
    """Run `make monitoring-test` once for a result, as CI does (needs promtool)."""
    print(f"running CI's `make {TARGET}` for its outcomes ({RESULT} is missing or stale)")
    subprocess.run(["make", "--no-print-directory", TARGET], cwd=root, check=False)


def _fresh(root: Path) -> bool:
    result = root / RESULT
    sources = [root / RULES, root / RULE_TESTS]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0.0)
    return result.is_file() and result.stat().st_mtime >= newest


def _default_runner() -> Runner | None:
    return run_monitoring_test if shutil.which("promtool") else None


def rule_evidence(
    root: Path, targets: set[str], runner: Runner | None = None
) -> tuple[list[Evidence], str]:
    """Evidence for every tagged rule test, and where its outcome came from.

    `runner` makes a missing or stale result (default: `make monitoring-test` when promtool
    is installed); without one such a result counts as not run.
    """
    tests = tagged_tests(root)
    if not tests:
        return [], f"no rubric-tagged tests in {RULE_TESTS}"

    def every(outcome: str, reason: str) -> list[Evidence]:
        return [Evidence(f"{RULE_TESTS}::{n}", ids, outcome, reason) for n, ids in tests.items()]

    if TARGET not in targets:
        why = f"CI does not run `make {TARGET}`"
        return every("not selected by CI", why), f"alert-rule tests: {why}, not counted"
    runner = runner if runner is not None else _default_runner()
    if not _fresh(root) and runner is not None:
        runner(root)
    if not _fresh(root):
        why = f"{RESULT} is missing or older than the rules: run `make {TARGET}` (needs promtool)"
        return every("not run", why), f"alert-rule tests: {why}"
    code = int(json.loads((root / RESULT).read_text())["exit_code"])
    log = (root / LOG).read_text() if (root / LOG).is_file() else ""
    failed = {name for name in tests if f"name: {name}," in log}
    origin = f"alert-rule tests: {RESULT}, written by `make {TARGET}` (exit {code})"
    if code != 0 and not failed:  # promtool failed before naming a test: nothing passed
        return every("failed", f"promtool exited {code}: see {LOG}"), origin
    return [
        Evidence(f"{RULE_TESTS}::{name}", ids, "failed", f"promtool names it failed in {LOG}")
        if name in failed
        else Evidence(f"{RULE_TESTS}::{name}", ids, PASSED)
        for name, ids in tests.items()
    ], origin
