"""In-process drift monitoring over a sliding window of the most recent scored rows.

Requests only append to a fixed-size ring buffer (cheap, under a lock); the statistics are
computed when `/metrics` is scraped, at most once per new batch of rows, so the cost of
drift detection is paid by the scraper, not by the caller waiting for a prediction.
Until `min_rows` rows have been seen no score is published: a score from a handful of rows
would be noise, and an absent series is what alerts treat as "not known yet".
Numbers (numeric features and the prediction score, NaN for a null) and categories (text
or codes, None for a null) are kept in two buffers, so numbers stay a compact float array.
"""

import threading
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..core.schemas import CATEGORICAL, FEATURES, NUMERIC
from .drift import Method, score_column
from .reference import DriftReference

NUMERIC_AT: Final = [FEATURES.index(name) for name in NUMERIC]
CATEGORICAL_AT: Final = [FEATURES.index(name) for name in CATEGORICAL]
"""Where each numeric and each categorical feature sits in a frame in schema order."""


@dataclass
class RingBuffer:
    """The last `capacity` rows of a fixed number of columns, of one numpy dtype."""

    capacity: int
    columns: int
    dtype: type[Any] = np.float64
    _data: npt.NDArray[Any] = field(init=False, repr=False)
    _next: int = field(default=0, init=False)
    _filled: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._data = np.empty((self.capacity, self.columns), dtype=self.dtype)

    def extend(self, rows: npt.NDArray[Any]) -> None:
        """Append rows, overwriting the oldest once full."""
        rows = rows[-self.capacity :]
        positions = (self._next + np.arange(len(rows))) % self.capacity
        self._data[positions] = rows
        self._next = int((self._next + len(rows)) % self.capacity)
        self._filled = min(self._filled + len(rows), self.capacity)

    def values(self) -> npt.NDArray[Any]:
        """The rows held, oldest first order not guaranteed (statistics do not need it)."""
        return self._data[: self._filled].copy()

    def __len__(self) -> int:
        return self._filled


Scores = dict[tuple[str, Method], float]
"""(feature, method) → drift score."""


@dataclass
class DriftWindow:
    """Recent features and prediction scores, compared with the training reference."""

    reference: DriftReference
    capacity: int = 1000
    min_rows: int = 200
    _numbers: RingBuffer = field(init=False, repr=False)
    _categories: RingBuffer = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _seen: int = field(default=0, init=False)
    _scored_at: int = field(default=-1, init=False)
    _scores: tuple[Scores, Scores] = field(default_factory=lambda: ({}, {}), init=False)

    def __post_init__(self) -> None:
        if not 0 < self.min_rows <= self.capacity:
            raise ValueError("drift window needs 0 < min_rows <= capacity")
        self._numbers = RingBuffer(self.capacity, len(NUMERIC) + 1)
        self._categories = RingBuffer(self.capacity, len(CATEGORICAL), dtype=object)

    def observe(self, features: pd.DataFrame, predictions: npt.ArrayLike) -> None:
        """Record scored rows (every schema feature, by name) and their prediction scores.

        Column by column into preallocated arrays: selecting a sub-frame first costs pandas
        ~0.2 ms a request, as much as the rest of monitoring put together. A frame of floats
        in schema order (what the fast validation path scores, categories coded as numbers
        included) is one block, read at once: ~20 µs in all instead of ~9 µs a column.
        """
        numbers = np.empty((len(features), len(NUMERIC) + 1), dtype=np.float64)
        categories = np.empty((len(features), len(CATEGORICAL)), dtype=object)
        if tuple(features.columns) == FEATURES and all(
            dtype == np.float64 for dtype in features.dtypes
        ):
            values = features.to_numpy(dtype=np.float64)
            numbers[:, :-1] = values[:, NUMERIC_AT]
            categories[:, :] = values[:, CATEGORICAL_AT]
        else:
            for i, name in enumerate(NUMERIC):
                numbers[:, i] = features[name].to_numpy(dtype=np.float64, na_value=np.nan)
            for j, name in enumerate(CATEGORICAL):
                categories[:, j] = features[name].to_numpy(dtype=object)
        numbers[:, -1] = predictions
        with self._lock:
            self._numbers.extend(numbers)
            self._categories.extend(categories)
            self._seen += len(numbers)

    @property
    def rows(self) -> int:
        """How many rows the window holds now."""
        return len(self._numbers)

    def scores(self) -> tuple[Scores, Scores]:
        """Return (feature scores, prediction scores); both empty until `min_rows` rows."""
        with self._lock:
            if self._seen == self._scored_at:
                return self._scores
            numbers, categories = self._numbers.values(), self._categories.values()
            seen = self._seen
        if len(numbers) < self.min_rows:
            return {}, {}
        columns = {name: numbers[:, i] for i, name in enumerate(NUMERIC)}
        columns |= {name: categories[:, i] for i, name in enumerate(CATEGORICAL)}
        features: Scores = {}
        for name in FEATURES:
            for method, score in score_column(self.reference.features[name], columns[name]).items():
                features[name, method] = score
        prediction: Scores = {
            ("prediction", method): score
            for method, score in score_column(self.reference.prediction, numbers[:, -1]).items()
        }
        with self._lock:
            self._scores, self._scored_at = (features, prediction), seen
        return features, prediction
