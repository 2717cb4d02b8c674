"""The batch's drift against the training reference, by the service's own drift window.

A batch can be larger than memory, so drift is scored on a uniform sample of its accepted
rows, at most `SAMPLE_ROWS`: each row's key is a hash of its position in the input, and the
rows with the smallest keys are kept, so the sample does not depend on chunk size or engine.
(Keys from values would give repeated rows one key: a batch with many duplicates would
sample a handful of distinct rows, thousands of times each; hashing them also cost more than
a tenth of a run.) Once the sample is full, only rows with a smaller key than its largest
are copied at all.
The sample then goes through `DriftWindow`, the service's code (same statistics, same
`DRIFT_MIN_ROWS` below which nothing is scored), and a score above the threshold of the
service's alert rule (`monitoring/prometheus/rules.yaml`) flags its feature as drifted.
"""

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..core.schemas import FEATURES
from ..monitoring.drift import Method
from ..monitoring.reference import DriftReference
from ..monitoring.settings import MonitoringSettings
from ..monitoring.window import DriftWindow

SAMPLE_ROWS: Final = 50_000
"""Rows kept for drift: PSI and KS are already precise at this size, memory stays bounded."""
THRESHOLDS: Final[dict[Method, float]] = {"psi": 0.25, "jensenshannon": 0.1, "unseen": 0.01}
"""The alert rules' thresholds (ModelFeatureDrift, ModelPredictionDrift): above is drift."""
_KEY: Final = "__sample_key"
_SCORE: Final = "__monitored_score"


class DriftSample:
    """A bounded, order-independent sample of accepted rows and their monitored scores."""

    def __init__(self, size: int = SAMPLE_ROWS) -> None:
        self.size = size
        self.rows = pd.DataFrame()

    def add(self, features: pd.DataFrame, scores: npt.NDArray[np.float64]) -> None:
        """Offer a chunk's accepted rows; keep the `size` rows with the smallest keys."""
        if not len(features):
            return
        keys = pd.util.hash_array(features.index.to_numpy(dtype=np.int64))
        keep = keys < self.rows[_KEY].max() if len(self.rows) >= self.size else slice(None)
        self.merge(features[keep].assign(**{_SCORE: scores[keep], _KEY: keys[keep]}))

    def merge(self, rows: pd.DataFrame) -> None:
        """Take in another sample's `rows` (an engine samples each chunk where it is scored)."""
        if len(rows):
            self.rows = pd.concat([self.rows, rows]).nsmallest(self.size, _KEY)

    def summary(self, reference: DriftReference | None) -> dict[str, Any]:
        """Scores per feature and for the prediction, and which of them crossed a threshold."""
        if reference is None:
            return {"scored": False, "why": "the model has no drift reference (run `make train`)"}
        min_rows = MonitoringSettings().drift_min_rows
        if len(self.rows) < min_rows:
            why = f"{len(self.rows)} accepted rows, fewer than DRIFT_MIN_ROWS={min_rows}"
            return {"scored": False, "why": why}
        window = DriftWindow(reference, capacity=len(self.rows), min_rows=min_rows)
        window.observe(self.rows[list(FEATURES)], self.rows[_SCORE].to_numpy())
        features, prediction = window.scores()
        scores: dict[str, dict[str, float]] = {}
        for (name, method), score in (features | prediction).items():
            scores.setdefault(name, {})[method] = score
        drifted = [
            name
            for name, by_method in scores.items()
            if any(by_method.get(method, 0.0) > limit for method, limit in THRESHOLDS.items())
        ]
        return {
            "scored": True,
            "rows": len(self.rows),
            "thresholds": THRESHOLDS,
            "drifted": drifted,
            "scores": scores,
        }
