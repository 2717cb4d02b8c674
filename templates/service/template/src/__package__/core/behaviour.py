"""Behaviour expectations (CheckList): typical rows, directional and invariance cases.

`confs/behaviour.yaml` declares them; this module only checks a fitted model against them,
so tests/core/test_model.py stays a list of sentences and a new case is a config change.
"""

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

Value = float | str | None


class Typical(BaseModel):
    """A real typical row and the label it has (None for regression)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: int | float | str | None
    row: dict[str, Value]


class Directional(BaseModel):
    """Raising `feature` by `change` moves the score of `label` (or the prediction) this way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    change: float
    effect: Literal["increase", "decrease"]
    label: int | float | str | None = None


class Invariance(BaseModel):
    """Setting `feature` to any of `values` leaves the prediction unchanged (within tolerance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    values: list[Value] = Field(min_length=1)
    tolerance: float = Field(default=0.0, ge=0)


class Behaviour(BaseModel):
    """`confs/behaviour.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    typical: list[Typical] = Field(min_length=1)
    target_range: tuple[float, float] | None = None
    directional: list[Directional] = Field(default_factory=list)
    invariance: list[Invariance] = Field(default_factory=list)


def score(
    model: Any, rows: pd.DataFrame, label: int | float | str | None
) -> npt.NDArray[np.float64]:
    """The probability of `label` for a classifier, the prediction for a regressor."""
    if label is None or not hasattr(model, "predict_proba"):
        return np.asarray(model.predict(rows), dtype=np.float64)
    column = [str(c) for c in model.classes_].index(str(_label(label)))
    return np.asarray(model.predict_proba(rows), dtype=np.float64)[:, column]


def _label(label: int | float | str) -> int | float | str:
    """YAML reads class 1 as an int and the model's classes_ may be floats: compare as text."""
    return int(label) if isinstance(label, float) and label.is_integer() else label


def directional_violations(model: Any, rows: pd.DataFrame, case: Directional) -> list[str]:
    """Held-out rows whose score moved against (or not with) the declared direction."""
    changed = rows.assign(**{case.feature: rows[case.feature] + case.change})
    delta = score(model, changed, case.label) - score(model, rows, case.label)
    wrong = delta <= 0 if case.effect == "increase" else delta >= 0
    return [
        f"{case.feature} {case.change:+g}: row {index} moved {d:+.4g}, expected an {case.effect}"
        for index, d, bad in zip(rows.index, delta, wrong, strict=True)
        if bad
    ]


def invariance_violations(model: Any, rows: pd.DataFrame, case: Invariance) -> list[str]:
    """Held-out rows whose prediction changed when only `feature` did."""
    before = np.asarray(model.predict(rows))
    found = []
    for value in case.values:
        after = np.asarray(model.predict(rows.assign(**{case.feature: value})))
        if after.dtype.kind in "fc":
            moved = np.abs(after.astype(float) - before.astype(float)) > case.tolerance
        else:
            moved = after != before
        found += [f"{case.feature}={value!r}: row {i} changed" for i in rows.index[moved]]
    return found
