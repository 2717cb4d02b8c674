"""Performance budgets measured on this project (ML Test Score D3, N6), so a 3x slowdown fails.

A fixed budget in seconds either flakes on a slow CI machine or, set loose enough not to,
lets a 10x regression through. So each cost is measured in units of a reference workload
timed in the same run, a run of one beside a run of the other (a pandas frame built and
scaled by scikit-learn: the kind of work a feature transform and a request do). The ratio
holds on a faster or a slower machine, and under load, where seconds do not.

`make budgets-record` (run by `ds-service new` before the first commit) measures each cost
and writes `confs/budgets.yaml`; the budget tests then fail when a cost exceeds `MARGIN`
times what was recorded. After an intended change, record again and commit the file: the
review shows how much slower it got. A cost with no recorded value (a feature added since)
is reported as a warning, and its fixed budget in the registry still applies.
"""

import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import yaml
from sklearn.preprocessing import StandardScaler

from ..yaml_parse import parse_yaml

BUDGETS_FILE: Final = Path("confs") / "budgets.yaml"
MARGIN: Final = 3.0
"""How many times its recorded cost a measurement may take: a 3x slowdown fails."""
RECORD_ENV: Final = "BUDGETS_RECORD"
"""Set (to the budgets file) by `record`: the budget tests write what they measure there."""
BUDGET_TESTS: Final = ("tests/core/test_feature_cost.py", "tests/serve/test_latency_budget.py")

_REFERENCE: Final = {
    name: np.random.default_rng(seed).normal(size=200) for seed, name in enumerate("abcd")
}

HEADER: Final = """\
# Performance measured on this project (`make budgets-record`), in units of a fixed reference
# workload timed in the same run, so the numbers hold on a faster or slower machine. The budget
# tests (D3, N6) fail when a cost exceeds 3x its value here. Record again after an intended
# change and commit this file: the diff shows what got slower.
"""


class NotRecorded(UserWarning):
    """A cost with no recorded budget yet: only its fixed budget applies."""


def reference_work() -> None:
    """The unit: a small frame built and standardised (pandas, then scikit-learn)."""
    StandardScaler().fit_transform(pd.DataFrame(_REFERENCE))


def cpu_seconds(work: Callable[[], object]) -> float:
    """CPU time of this process for one call: other processes on the machine do not count."""
    start = time.process_time()
    work()
    return time.process_time() - start


def in_reference_units(work: Callable[[], object], runs: int = 7) -> float:
    """`work`'s cost in reference units: best of `runs`, each run beside one of the reference."""
    ours: list[float] = []
    reference: list[float] = []
    for _ in range(runs):
        reference.append(cpu_seconds(reference_work))
        ours.append(cpu_seconds(work))
    return min(ours) / max(min(reference), 1e-9)


def read_budgets(path: Path) -> dict[str, float]:
    """The costs recorded in the budgets file at `path`; empty when there is none."""
    if not path.exists():
        return {}
    measured = (parse_yaml(path.read_text(encoding="utf-8")) or {}).get("measured") or {}
    return {str(key): float(value) for key, value in measured.items()}


def record(key: str, cost: float, path: Path) -> None:
    """Writes `cost` for `key` into the budgets file at `path`, keeping the others."""
    measured = read_budgets(path)
    measured[key] = round(cost, 3)
    body = yaml.safe_dump({"measured": dict(sorted(measured.items()))}, sort_keys=False)
    path.write_text(HEADER + body, encoding="utf-8")


def check_cost(key: str, cost: float, root: Path = Path()) -> None:
    """Fails when `cost` exceeds `MARGIN` times the recorded one; warns when none was recorded.

    Under `record` (RECORD_ENV set) it writes `cost` as the new recorded one instead.
    """
    target = os.environ.get(RECORD_ENV)
    if target:
        record(key, cost, Path(target))
        return
    recorded = read_budgets(root / BUDGETS_FILE).get(key)
    if recorded is None:
        warnings.warn(
            f"{key} has no recorded budget: run `make budgets-record` and commit {BUDGETS_FILE}",
            NotRecorded,
            stacklevel=2,
        )
        return
    limit = recorded * MARGIN
    assert cost <= limit, (
        f"{key} costs {cost:.2f} reference units, over {limit:.2f} ({MARGIN:g}x the {recorded:.2f}"
        f" recorded in {BUDGETS_FILE}): if the slowdown is intended, run `make budgets-record`"
        " and commit the file"
    )


def record_budgets(root: Path = Path()) -> int:
    """Runs the budget tests in record mode, which write `confs/budgets.yaml`; their exit code."""
    import pytest  # a test runner: imported only to record

    os.environ[RECORD_ENV] = str((root / BUDGETS_FILE).resolve())
    try:
        tests = [str(root / test) for test in BUDGET_TESTS]
        return int(pytest.main([*tests, "-q", "-k", "not_regressed", "-p", "no:cacheprovider"]))
    finally:
        del os.environ[RECORD_ENV]


def main(argv: list[str]) -> int:
    """`python -m <package>.io.budgets record`."""
    if argv[1:] != ["record"]:
        print("usage: python -m <package>.io.budgets record", file=sys.stderr)
        return 2
    code = record_budgets()
    if code == 0:
        print(f"recorded the performance budgets in {BUDGETS_FILE}")
    return code


if __name__ == "__main__":  # pragma: no cover - the module's command line
    sys.exit(main(sys.argv))
