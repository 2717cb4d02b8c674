"""`make backtest`: how fast a model goes stale (ML Test Score M4).

Rows are cut, in arrival order, into equal consecutive periods. For every origin, a model
is trained on all periods before it and scored on each later period; averaging by age
(periods since training) gives a quality-vs-age curve. `max_age_periods` is the oldest age
whose quality still meets the gate's minimum: the staleness alert's threshold.
With a date/time column the period has a length in time (the column's span / periods), so
the report gives `max_age_seconds` too, and `monitoring/staleness.py` holds the `ModelStale`
alert in monitoring/prometheus/rules.yaml to it (a test fails when the alert is looser).

With a time column (`TIME_COLUMN` in io/data.py, `ds-service new --time <column>`) rows are
ordered by it. Without one nobody knows the arrival order, and a file's row order is often
sorted by something else (by class, say), which would fake a staleness cliff. The rows are
then put in a seeded random order: the curve exercises the mechanism and shows the effect
of training-set size only, not real staleness. Declare the column that says when a row
happened before trusting the number.
"""

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.metrics import PRIMARY_METRIC, evaluate
from ..core.model import build_pipeline
from ..io.config import DEFAULT_CONFIG, TrainConfig, load_config
from ..io.data import TIME_COLUMN, Dataset, load_dataset
from ..meta import TASK
from ..monitoring.staleness import alert_threshold_seconds, verdict
from .process import exit_process

logger = logging.getLogger(__name__)


def arrival_order(dataset: Dataset, seed: int) -> tuple[Dataset, str]:
    """Rows in the order they arrived, and how that order was decided (see module doc)."""
    # Rows with the same time have no known order: shuffled (seeded) before a stable sort,
    # so a file sorted by something else (the label, say) cannot fake a staleness cliff.
    shuffled = dataset.features.sample(frac=1.0, random_state=seed).index
    if dataset.times is not None:
        order = dataset.times.loc[shuffled].sort_values(kind="stable").index
        return dataset.subset(order), f"by the time column {TIME_COLUMN!r}"
    return dataset.subset(shuffled), "seeded random order (no time column: not real staleness)"


def _measurable(target: pd.Series, classes: int) -> bool:
    """A period can be scored (and a model trained) only if it holds every class."""
    return TASK == "regression" or target.nunique() >= classes


def backtest(config: TrainConfig, dataset: Dataset, periods: int) -> dict[str, Any]:
    """Quality of the primary metric by model age, in periods; see the module docstring."""
    ordered, ordering = arrival_order(dataset, config.seed)
    chunks = np.array_split(np.arange(len(ordered.target)), periods)
    classes = ordered.target.nunique()
    by_age: dict[int, list[float]] = {}
    skipped = 0  # (origin, period) pairs without every class: reported, never guessed
    for origin in range(2, periods):
        train_rows = np.concatenate(chunks[:origin])
        if not _measurable(ordered.target.iloc[train_rows], classes):
            skipped += periods - origin  # a model that never saw a class cannot be scored
            continue
        model = build_pipeline(config.model, config.seed).fit(
            ordered.features.iloc[train_rows], ordered.target.iloc[train_rows]
        )
        for later in range(origin, periods):
            rows = chunks[later]
            if not _measurable(ordered.target.iloc[rows], classes):
                skipped += 1
                continue
            metrics = evaluate(model, ordered.features.iloc[rows], ordered.target.iloc[rows])
            by_age.setdefault(later - origin + 1, []).append(metrics[PRIMARY_METRIC])
    curve = [
        {"age_periods": age, PRIMARY_METRIC: float(np.mean(values)), "origins": len(values)}
        for age, values in sorted(by_age.items())
    ]
    minimum = config.quality_gate.minimums.get(PRIMARY_METRIC, -np.inf)
    fresh_enough = [int(p["age_periods"]) for p in curve if p[PRIMARY_METRIC] >= minimum]
    max_age = max(fresh_enough, default=0)
    return {
        "metric": PRIMARY_METRIC,
        "minimum": minimum if np.isfinite(minimum) else None,
        "periods": periods,
        "rows_per_period": len(chunks[0]),
        "ordering": ordering,
        "curve": curve,
        "skipped": skipped,
        "max_age_periods": max_age,
        **period_length(ordered.times, periods, max_age),
    }


def period_length(times: pd.Series | None, periods: int, max_age: int) -> dict[str, Any]:
    """How long a period lasts and the measured max age in seconds, or why it is unknown.

    Only dates give seconds: a numeric time column (a year, an epoch of unknown unit) and
    no time column at all leave the alert's threshold unmeasured, and the report says so.
    """
    if times is None:
        why = "no time column: rows have no arrival time, so no age in seconds is measured"
        return {"period_seconds": None, "max_age_seconds": None, "max_age_unmeasured": why}
    if not pd.api.types.is_datetime64_any_dtype(times):
        why = f"the time column {TIME_COLUMN!r} is numeric: its unit (seconds? years?) is unknown"
        return {"period_seconds": None, "max_age_seconds": None, "max_age_unmeasured": why}
    span = (times.max() - times.min()).total_seconds()
    period = span / periods
    return {"period_seconds": period, "max_age_seconds": max_age * period}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Backtest model quality against model age.")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--periods", type=int, default=6)
    parser.add_argument("--output", type=Path, default=Path("reports/backtest.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    result = backtest(load_config(args.config), load_dataset(), args.periods)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    for point in result["curve"]:
        logger.info(
            "age %d: %s = %.4f", point["age_periods"], result["metric"], point[result["metric"]]
        )
    logger.info("ordering: %s", result["ordering"])
    logger.info("max_age_periods = %d (staleness alert threshold)", result["max_age_periods"])
    for line in verdict(result, alert_threshold_seconds()):
        logger.info("%s", line)
    return 0


if __name__ == "__main__":
    exit_process(main())
