"""Drift statistics against the training reference: PSI, Kolmogorov-Smirnov, Jensen-Shannon.

Pure functions over numpy arrays and one pydantic model, so the same code scores a live
window in the service and a file of production inputs in `make drift-report`.

- Numeric features: PSI (population stability index) on bins cut at the training
  quantiles, so each bin holds about the same share of training rows and PSI weighs every
  part of the distribution; plus the two-sample KS statistic (largest gap between the
  empirical CDFs), which needs no bins. Rules of thumb for PSI: < 0.1 stable, 0.1 to 0.25
  moderate, > 0.25 a significant shift — the alert threshold.
- Categorical features (a schema `isin` check, text or numeric codes): Jensen-Shannon
  distance (base 2, in [0, 1]) between category shares, plus `unseen`: the share of rows
  whose value training never showed — a value outside the categories (served for an
  `UNSEEN_AS_OTHER` feature, which scores it as "other", or in a batch path that skips
  validation) or a null where training had none. Jensen-Shannon counts unseen values as
  one more category (training share 0), so they move it too.
Nulls are not a distribution shift of the values: both references record the training
null rate, and the service alerts on null rates from its own counters (rules.yaml).
The statistics come from scipy; only the binning is ours.
"""

from typing import Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from scipy.stats import ks_2samp

Array = npt.NDArray[np.float64]
Method = Literal["psi", "ks", "jensenshannon", "unseen"]
Category = float | str
"""A categorical value as the schema declares it: a text label or a numeric code."""

DEFAULT_BINS: Final = 10
REFERENCE_SAMPLE_SIZE: Final = 1000
"""Quantiles kept per numeric feature for KS: exact for small data, bounded for large."""
EPSILON: Final = 1e-4
"""Floor for empty bins: PSI is infinite when a bin is empty on one side only."""


class NumericReference(BaseModel):
    """One numeric column at training time: bin edges, bin shares and a quantile sample."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["numeric"] = "numeric"
    edges: list[float]
    proportions: list[float]
    sample: list[float]
    null_rate: float = Field(default=0.0, ge=0, le=1)


class CategoricalReference(BaseModel):
    """One categorical column at training time: each category's share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["categorical"] = "categorical"
    # Text labels or numeric codes, never both: try the exact JSON types, strings first.
    categories: list[str] | list[float]
    proportions: list[float]
    null_rate: float = Field(default=0.0, ge=0, le=1)


ColumnReference = NumericReference | CategoricalReference


def bin_counts(values: Array, edges: Array) -> npt.NDArray[np.int64]:
    """Count values per bin; `len(edges) + 1` bins, open-ended at both ends."""
    indices = np.searchsorted(edges, values, side="right")
    return np.bincount(indices, minlength=len(edges) + 1).astype(np.int64)


def numeric_reference(values: Array, bins: int = DEFAULT_BINS) -> NumericReference:
    """Describe a training column: quantile edges (ties merged), shares, a KS sample.

    Missing values (NaN) are left out of the bins and counted in `null_rate` instead.
    """
    clean = values[np.isfinite(values)]
    if clean.size == 0:
        raise ValueError("cannot build a drift reference from a column without finite values")
    inner = np.quantile(clean, np.linspace(0, 1, bins + 1)[1:-1])
    edges = np.unique(inner)
    counts = bin_counts(clean, edges)
    sample = (
        clean
        if clean.size <= REFERENCE_SAMPLE_SIZE
        else np.quantile(clean, np.linspace(0, 1, REFERENCE_SAMPLE_SIZE))
    )
    return NumericReference(
        edges=edges.tolist(),
        proportions=(counts / counts.sum()).tolist(),
        sample=np.sort(sample).tolist(),
        null_rate=float(1 - clean.size / values.size),
    )


class Counts(NamedTuple):
    """Rows of a categorical column: per category, outside the categories, and null."""

    known: Array
    unseen: int
    nulls: int


def category_counts(values: npt.ArrayLike, categories: list[str] | list[float]) -> Counts:
    """Count a column's values per category; nulls and values outside them apart.

    A pandas index looks every value up in one vectorized pass (-1: not a category), for
    text and numeric codes alike (`1` matches `1.0`, `"1"` does not).
    """
    column = pd.Index(np.asarray(values, dtype=object).ravel(), dtype=object)
    nulls = np.asarray(column.isna())
    codes = pd.Index(list(categories), dtype=object).get_indexer(column[~nulls])
    known = np.bincount(codes[codes >= 0], minlength=len(categories)).astype(np.float64)
    return Counts(known=known, unseen=int(np.sum(codes < 0)), nulls=int(nulls.sum()))


def categorical_reference(
    values: npt.ArrayLike, categories: list[str] | list[float]
) -> CategoricalReference:
    """Describe a training column by each allowed category's share of its non-null rows."""
    counts = category_counts(values, categories)
    total = counts.known.sum()
    if total == 0:
        raise ValueError("no training value falls in the declared categories")
    rows = total + counts.unseen + counts.nulls
    return CategoricalReference(
        categories=categories,
        proportions=(counts.known / total).tolist(),
        null_rate=float(counts.nulls / rows),
    )


def psi(expected: Array, actual: Array) -> float:
    """Population stability index between two share vectors (symmetric KL divergence)."""
    p = np.clip(expected, EPSILON, None)
    q = np.clip(actual, EPSILON, None)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(rel_entr(q, p) + rel_entr(p, q)))


def score_column(reference: ColumnReference, values: npt.ArrayLike) -> dict[Method, float]:
    """Score a window of one column against its reference, by every method that applies.

    Nulls are left out (their rate is watched on its own). A window without a single
    non-null value has no score: an empty dict, so no gauge claims "no drift".
    """
    if isinstance(reference, NumericReference):
        numbers = np.asarray(values, dtype=np.float64)
        numbers = numbers[np.isfinite(numbers)]
        if numbers.size == 0:
            return {}
        counts = bin_counts(numbers, np.asarray(reference.edges))
        shares = counts / counts.sum()
        statistic = ks_2samp(numbers, np.asarray(reference.sample)).statistic
        return {"psi": psi(np.asarray(reference.proportions), shares), "ks": float(statistic)}
    tally = category_counts(values, reference.categories)
    present = tally.known.sum() + tally.unseen
    # A null is unseen too when training had none: the model never learnt what it means.
    unseen = tally.unseen + (tally.nulls if reference.null_rate == 0 else 0)
    scores: dict[Method, float] = {}
    if present > 0:
        observed = np.append(tally.known, tally.unseen) / present
        distance = jensenshannon(np.append(reference.proportions, 0.0), observed, base=2)
        scores["jensenshannon"] = float(np.nan_to_num(distance, nan=1.0))
    if present + tally.nulls > 0:
        scores["unseen"] = float(unseen / (present + tally.nulls))
    return scores
