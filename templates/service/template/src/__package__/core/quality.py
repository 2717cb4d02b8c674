"""Quality beyond the average: baselines, slices, fairness and non-regression (pure code).

The averages in `core/metrics.py` can hide a model that fails a group of people, loses to
an untuned linear model, or is worse than the model already in production. The rules for
each live in `confs/quality.yaml`; this module only computes and compares.
"""

from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .metrics import METRIC_NAMES, PRIMARY_METRIC, evaluate
from .slices import Slice


class Bounds(BaseModel):
    """Per-metric limits: `minimums` for higher-is-better metrics, `maximums` for the rest.

    `relative_maximums` bound an error metric by a factor of the model's overall value (mae
    at most 1.5 x the overall mae): a scale-free "no group is served much worse than
    average" for a target whose acceptable error nobody has stated yet.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    minimums: dict[str, float] = Field(default_factory=dict)
    maximums: dict[str, float] = Field(default_factory=dict)
    relative_maximums: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> "Bounds":
        """A misspelt metric would never be checked; refuse it."""
        named = set(self.minimums) | set(self.maximums) | set(self.relative_maximums)
        unknown = sorted(named - set(METRIC_NAMES))
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; known: {list(METRIC_NAMES)}")
        return self

    def failures(
        self, label: str, metrics: dict[str, float], overall: dict[str, float]
    ) -> list[str]:
        """One sentence per unmet bound; `not x >= y` so NaN always fails."""
        low = [
            f"{label}: {name} = {metrics[name]:.4f} is below {limit}"
            for name, limit in self.minimums.items()
            if not metrics[name] >= limit
        ]
        high = [
            f"{label}: {name} = {metrics[name]:.4f} is above {limit}"
            for name, limit in self.maximums.items()
            if not metrics[name] <= limit
        ]
        relative = [
            f"{label}: {name} = {metrics[name]:.4f} is above {factor} x the overall "
            f"{overall[name]:.4f}"
            for name, factor in self.relative_maximums.items()
            if not metrics[name] <= factor * overall[name]
        ]
        return low + high + relative


class Fairness(BaseModel):
    """The largest allowed gap in `metric` between groups of each protected attribute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protected: list[str] = Field(
        description="Attributes whose groups are compared; empty means none was declared."
    )
    metric: str
    max_gap: float = Field(ge=0)


class QualityConfig(BaseModel):
    """`confs/quality.yaml`: what "good enough" means beyond the gate in `train.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    linear_baseline_margin: float
    max_regression: float = Field(ge=0)
    min_slice_rows: int = Field(ge=1)
    slices: list[Slice] = Field(min_length=1)
    slice_bounds: Bounds
    slice_max_regression: float = Field(ge=0)
    fairness: Fairness


def slice_metrics(
    model: Any, features: pd.DataFrame, target: pd.Series, config: QualityConfig
) -> dict[str, dict[str, float]]:
    """Metrics of every slice group with enough rows (and every class) to be measured."""
    result: dict[str, dict[str, float]] = {}
    for spec in config.slices:
        for name, mask in spec.groups(features).items():
            rows, truth = features[mask.to_numpy()], target[mask.to_numpy()]
            if len(rows) >= config.min_slice_rows and _measurable(model, truth):
                result[name] = evaluate(model, rows, truth)
    return result


def _measurable(model: Any, truth: pd.Series) -> bool:
    """Ranking metrics need every class the model knows; a regression target always qualifies."""
    classes = getattr(model, "classes_", None)
    return classes is None or truth.nunique() >= len(classes)


def unmeasured_slices(features: pd.DataFrame, config: QualityConfig) -> list[str]:
    """Slices none of whose groups has `min_slice_rows` rows: nothing about them was checked.

    A big enough group that lacks a class is not counted here: a slice of a separable feature
    can hold one class per group, which says nothing bad about the model.
    """
    return [
        f"slice {spec.feature!r} has no group with {config.min_slice_rows}+ rows"
        for spec in config.slices
        if not any(
            int(mask.sum()) >= config.min_slice_rows for mask in spec.groups(features).values()
        )
    ]


def fairness_gaps(slices: dict[str, dict[str, float]], config: QualityConfig) -> dict[str, float]:
    """Protected attribute → max minus min of the fairness metric over its groups."""
    gaps = {}
    for attribute in config.fairness.protected:
        values = [
            metrics[config.fairness.metric]
            for name, metrics in slices.items()
            if name.startswith(f"{attribute}=")
        ]
        gaps[attribute] = float(max(values) - min(values)) if len(values) > 1 else float("nan")
    return gaps


def quality_failures(
    metrics: dict[str, float],
    linear: dict[str, float],
    slices: dict[str, dict[str, float]],
    production: dict[str, Any] | None,
    config: QualityConfig,
) -> list[str]:
    """Every reason this model must not replace production; empty means it may."""
    failures = []
    if not metrics[PRIMARY_METRIC] >= linear[PRIMARY_METRIC] + config.linear_baseline_margin:
        failures.append(
            f"{PRIMARY_METRIC} = {metrics[PRIMARY_METRIC]:.4f} does not beat the linear "
            f"baseline's {linear[PRIMARY_METRIC]:.4f} by {config.linear_baseline_margin}"
        )
    for name, values in slices.items():
        failures += config.slice_bounds.failures(f"slice {name}", values, metrics)
    for attribute, gap in fairness_gaps(slices, config).items():
        if not gap <= config.fairness.max_gap:
            failures.append(
                f"fairness: {config.fairness.metric} gap over {attribute!r} is {gap:.4f}, "
                f"above {config.fairness.max_gap}"
            )
    if production is not None:
        failures += regression_failures(metrics, slices, production, config)
    return failures


def regression_failures(
    metrics: dict[str, float],
    slices: dict[str, dict[str, float]],
    production: dict[str, Any],
    config: QualityConfig,
) -> list[str]:
    """Non-regression: the primary metric, overall and per slice, vs the production model's."""
    failures = []
    before = float(production["metrics"][PRIMARY_METRIC])
    if not metrics[PRIMARY_METRIC] >= before - config.max_regression:
        failures.append(
            f"{PRIMARY_METRIC} = {metrics[PRIMARY_METRIC]:.4f} regressed from production's "
            f"{before:.4f} by more than {config.max_regression}"
        )
    for name, old in production.get("slices", {}).items():
        if name in slices and not (
            slices[name][PRIMARY_METRIC] >= float(old[PRIMARY_METRIC]) - config.slice_max_regression
        ):
            failures.append(
                f"slice {name}: {PRIMARY_METRIC} = {slices[name][PRIMARY_METRIC]:.4f} regressed "
                f"from production's {float(old[PRIMARY_METRIC]):.4f}"
            )
    return failures
