"""The staleness alert held to the staleness the backtest measured (ML Test Score M4, N4).

`make backtest` measures how long a model keeps meeting the quality gate's minimum
(`max_age_seconds`, when the data has a date/time column). The `ModelStale` alert in
monitoring/prometheus/rules.yaml must fire no later than that: an alert set looser lets a
model serve while the backtest says it is already below the bar. Without dated rows
nothing is measured, and the alert's threshold stays a default that this says is one.
"""

import math
import re
from pathlib import Path
from typing import Any, Final

from ..yaml_parse import parse_yaml

RULES: Final = Path("monitoring/prometheus/rules.yaml")
RULES_TEST: Final = Path("monitoring/prometheus/rules.test.yaml")
ALERT: Final = "ModelStale"
_THRESHOLD: Final = re.compile(r">\s*([0-9.eE+]+(?:\s*\*\s*[0-9.eE+]+)*)\s*$")
DAY: Final = 24 * 3600


def alert_threshold_seconds(root: Path = Path()) -> float | None:
    """The model age in seconds past which `ModelStale` fires; None without rules or alert."""
    path = root / RULES
    if not path.is_file():
        return None
    rules: dict[str, Any] = parse_yaml(path.read_text()) or {}
    for group in rules.get("groups") or []:
        for rule in group.get("rules") or []:
            if rule.get("alert") == ALERT:
                return threshold_of(str(rule["expr"]))
    return None


def threshold_of(expr: str) -> float:
    """`time() - max(..._model_created_timestamp_seconds) > 30 * 24 * 3600` → 2592000.0."""
    match = _THRESHOLD.search(expr.strip())
    if match is None:
        raise ValueError(f"{ALERT}'s expr must end in `> <seconds>` (products allowed): {expr!r}")
    return math.prod(float(factor) for factor in match.group(1).split("*"))


def problems(result: dict[str, Any], threshold: float | None) -> list[str]:
    """Why the alert is looser than the backtest allows, saying which value to put where."""
    measured = result.get("max_age_seconds")
    if measured is None:
        return []  # nothing measured: nothing to hold the alert to (see `verdict`)
    if threshold is None:
        return [f"no {ALERT} alert in {RULES}: nothing warns when the model outlives its quality"]
    minimum = f"{result['metric']} >= {result['minimum']}"
    if result["max_age_periods"] == 0:
        return [
            f"the model misses {minimum} already one period ({_days(result['period_seconds'])}) "
            f"after training: no staleness alert protects it; retrain more often or review "
            f"the minimum in confs/train.yaml"
        ]
    if threshold > measured:
        limit = math.floor(measured)
        return [
            f"{ALERT} fires after {_days(threshold)} but the backtest measured {minimum} for "
            f"{_days(measured)} only: in {RULES} set {ALERT}'s expr to `... > {limit}` (and "
            f"its summary), and in {RULES_TEST} move the {ALERT} test's model ages to just "
            f"above and below {limit} s"
        ]
    return []


def verdict(result: dict[str, Any], threshold: float | None) -> list[str]:
    """What `make backtest` prints about the alert: held, too loose, or not measured."""
    shown = f"no {ALERT} alert" if threshold is None else f"{ALERT} fires after {_days(threshold)}"
    if result.get("max_age_seconds") is None:
        why = result.get("max_age_unmeasured", "no age in seconds")
        return [f"staleness threshold NOT measured ({why}); {shown}: a default, not a measurement"]
    found = problems(result, threshold)
    if found:
        return [f"ALERT TOO LOOSE: {problem}" for problem in found]
    return [f"{shown}, within the measured {_days(result['max_age_seconds'])}: ok"]


def _days(seconds: float) -> str:
    return f"{seconds / DAY:.1f} days"
