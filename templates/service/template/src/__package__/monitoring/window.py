"""In-process drift monitoring over a sliding window of the most recent scored rows.

Requests only append to a fixed-size ring buffer (cheap, under a lock); the statistics are
computed when `/metrics` is scraped, at most once per new batch of rows, so the cost of
drift detection is paid by the scraper, not by the caller waiting for a prediction.
Until `min_rows` rows have been seen no score is published: a score from a handful of rows
would be noise, and an absent series is what alerts treat as "not known yet".
"""

import threading
from dataclasses import dataclass, field

import numpy as np

from ..core.schemas import FEATURES
from .drift import Array, Method, score_column
from .reference import DriftReference


@dataclass
class RingBuffer:
    """The last `capacity` rows of a fixed number of columns."""

    capacity: int
    columns: int
    _data: Array = field(init=False, repr=False)
    _next: int = field(default=0, init=False)
    _filled: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._data = np.empty((self.capacity, self.columns), dtype=np.float64)

    def extend(self, rows: Array) -> None:
        """Append rows, overwriting the oldest once full."""
        rows = rows[-self.capacity :]
        positions = (self._next + np.arange(len(rows))) % self.capacity
        self._data[positions] = rows
        self._next = int((self._next + len(rows)) % self.capacity)
        self._filled = min(self._filled + len(rows), self.capacity)

    def values(self) -> Array:
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
    _buffer: RingBuffer = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _seen: int = field(default=0, init=False)
    _scored_at: int = field(default=-1, init=False)
    _scores: tuple[Scores, Scores] = field(default_factory=lambda: ({}, {}), init=False)

    def __post_init__(self) -> None:
        if not 0 < self.min_rows <= self.capacity:
            raise ValueError("drift window needs 0 < min_rows <= capacity")
        self._buffer = RingBuffer(self.capacity, len(FEATURES) + 1)

    def observe(self, features: Array, predictions: Array) -> None:
        """Record scored rows (features in schema order) and their prediction scores."""
        rows = np.column_stack([features, predictions])
        with self._lock:
            self._buffer.extend(rows)
            self._seen += len(rows)

    @property
    def rows(self) -> int:
        """How many rows the window holds now."""
        return len(self._buffer)

    def scores(self) -> tuple[Scores, Scores]:
        """Return (feature scores, prediction scores); both empty until `min_rows` rows."""
        with self._lock:
            if self._seen == self._scored_at:
                return self._scores
            window, seen = self._buffer.values(), self._seen
        if len(window) < self.min_rows:
            return {}, {}
        features: Scores = {}
        for index, name in enumerate(FEATURES):
            for method, score in score_column(
                self.reference.features[name], window[:, index]
            ).items():
                features[name, method] = score
        prediction: Scores = {
            ("prediction", method): score
            for method, score in score_column(self.reference.prediction, window[:, -1]).items()
        }
        with self._lock:
            self._scores, self._scored_at = (features, prediction), seen
        return features, prediction
