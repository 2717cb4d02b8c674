"""Drift statistics against the training reference: PSI, Kolmogorov-Smirnov, Jensen-Shannon.

Pure functions over numpy arrays and one pydantic model, so the same code scores a live
window in the service and a file of production inputs in `make drift-report`.

- Numeric features: PSI (population stability index) on bins cut at the training
  quantiles, so each bin holds about the same share of training rows and PSI weighs every
  part of the distribution; plus the two-sample KS statistic (largest gap between the
  empirical CDFs), which needs no bins. Rules of thumb for PSI: < 0.1 stable, 0.1 to 0.25
  moderate, > 0.25 a significant shift — the alert threshold.
- Categorical features (a schema `isin` check): Jensen-Shannon distance (base 2, in
  [0, 1]) between category shares.
The statistics come from scipy; only the binning is ours.
"""

from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from scipy.stats import ks_2samp

Array = npt.NDArray[np.float64]
Method = Literal["psi", "ks", "jensenshannon"]

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


class CategoricalReference(BaseModel):
    """One categorical column at training time: each category's share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["categorical"] = "categorical"
    categories: list[float]
    proportions: list[float]


ColumnReference = NumericReference | CategoricalReference


def bin_counts(values: Array, edges: Array) -> npt.NDArray[np.int64]:
    """Count values per bin; `len(edges) + 1` bins, open-ended at both ends."""
    indices = np.searchsorted(edges, values, side="right")
    return np.bincount(indices, minlength=len(edges) + 1).astype(np.int64)


def numeric_reference(values: Array, bins: int = DEFAULT_BINS) -> NumericReference:
    """Describe a training column: quantile edges (ties merged), shares, a KS sample."""
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
    )


def categorical_reference(values: Array, categories: list[float]) -> CategoricalReference:
    """Describe a training column by the share of each allowed category."""
    counts = np.array([np.sum(values == category) for category in categories], dtype=np.float64)
    if counts.sum() == 0:
        raise ValueError("no training value falls in the declared categories")
    return CategoricalReference(categories=categories, proportions=(counts / counts.sum()).tolist())


def psi(expected: Array, actual: Array) -> float:
    """Population stability index between two share vectors (symmetric KL divergence)."""
    p = np.clip(expected, EPSILON, None)
    q = np.clip(actual, EPSILON, None)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(rel_entr(q, p) + rel_entr(p, q)))


def score_column(reference: ColumnReference, values: Array) -> dict[Method, float]:
    """Score a window of one column against its reference, by every method that applies."""
    if isinstance(reference, NumericReference):
        counts = bin_counts(values, np.asarray(reference.edges))
        shares = counts / max(int(counts.sum()), 1)
        statistic = ks_2samp(values, np.asarray(reference.sample)).statistic
        return {"psi": psi(np.asarray(reference.proportions), shares), "ks": float(statistic)}
    counts = np.array(
        [np.sum(values == category) for category in reference.categories], dtype=np.float64
    )
    shares = counts / max(float(counts.sum()), 1.0)
    distance = jensenshannon(np.asarray(reference.proportions), shares, base=2)
    return {"jensenshannon": float(np.nan_to_num(distance, nan=1.0))}
