"""Drift drills: production-like traffic, and the same traffic drifted in one feature.

To trust a drift alert you have to see it fire on drift it should catch and stay quiet on
traffic it should not; the monitoring tests do exactly that, and a notebook can too (feed
`drifted` rows to `make drift-report`, or to a staging service to rehearse the alert).
Drifted rows stay valid for the schema — a numeric feature moved inside its `ge`/`le`
range, a categorical one reweighted among its allowed values — because rows the service
refuses never reach the drift window.
"""

import math

import numpy as np
import pandas as pd

from ..core.schemas import NUMERIC, Features


def bounds(feature: str) -> tuple[float, float]:
    """The schema's `ge`/`le` range of a numeric feature."""
    low, high = -math.inf, math.inf
    for check in Features.to_schema().columns[feature].checks:
        low = float(check.statistics.get("min_value", low))
        high = float(check.statistics.get("max_value", high))
    return low, high


def drifted(
    rows: pd.DataFrame,
    population: pd.DataFrame,
    feature: str,
    sds: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """A copy of `rows` with one feature drifted, every value still valid for the schema.

    Numeric: moved up by `sds` standard deviations of `population` (whole units for an
    integer-valued feature, which cannot move by a fraction), clipped to `ge`/`le`.
    Categorical: half of the non-null values replaced by the population's rarest category.
    """
    out = rows.copy()
    column = population[feature].dropna()
    if feature in NUMERIC:
        step = sds * float(column.std())
        if bool((column == column.round()).all()):
            step = max(1.0, float(round(step)))
        low, high = bounds(feature)
        out[feature] = (out[feature] + step).clip(low, high)
    else:
        rarest = column.value_counts().idxmin()
        moved = (rng.random(len(out)) < 0.5) & out[feature].notna().to_numpy()
        out[feature] = out[feature].mask(moved, rarest)
    return out
