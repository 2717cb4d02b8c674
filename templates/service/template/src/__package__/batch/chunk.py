"""The scoring function every engine maps over chunks: validate, predict, tabulate.

It holds no state between chunks and returns plain tables, so a local loop and a
distributed `map_batches` give the same rows for the same input. Predictions come from the
service's own `predict` (`serve/predictions.py`), so a row scored in a batch gets exactly
the answer `/predict` would give it, and a non-finite prediction fails the run as it fails
a request.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..io.data import ID_COLUMN
from ..serve.predictions import predict
from .outputs import empty_prediction, prediction_frame
from .rows import check_rows


@dataclass(frozen=True)
class ScoredChunk:
    """What one chunk gives: its predictions, its rejects, and what drift needs."""

    predictions: pd.DataFrame
    rejects: pd.DataFrame
    features: pd.DataFrame
    """The accepted rows' validated features (the drift sample draws from them)."""
    scores: np.ndarray[Any, np.dtype[np.float64]]
    """The monitored score of each accepted row (`monitoring/prediction.py`)."""


def score_chunk(pipeline: Any, version: str, chunk: pd.DataFrame) -> ScoredChunk:
    """Score one chunk of input rows with the trained pipeline."""
    checked = check_rows(chunk)
    features = checked.features
    prediction = predict(pipeline, features) if len(features) else empty_prediction()
    ids = None if ID_COLUMN is None else chunk.loc[features.index, ID_COLUMN].astype("string")
    return ScoredChunk(
        predictions=prediction_frame(prediction, features.index, ids, version),
        rejects=checked.rejects,
        features=features,
        scores=prediction.scores,
    )
