"""Prometheus metrics of the service, in a registry of its own, all named `<namespace>_...`.

A dedicated `CollectorRegistry` per service instance keeps `/metrics` to what this model
exposes (no process collectors from other libraries), and lets tests build many apps
without "duplicated timeseries" errors. Label values are always from a closed set —
route templates, schema feature names, status codes — never raw user input, so a
malicious request cannot explode the number of time series.
"""

import math
import threading
from collections.abc import Iterator, Sequence

import numpy as np
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from ..meta import METRICS_NAMESPACE
from .drift import Array
from .prediction import PREDICTION_BUCKETS
from .window import DriftWindow

# `<name>_created` series double the output and no dashboard or alert here uses them.
# The switch is process-wide in prometheus-client, hence at import time.
disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Seconds; a small tabular model answers in milliseconds, so resolution is kept low down."""


class BatchHistogram(Collector):
    """A Prometheus histogram fed a whole batch of values at once.

    prometheus-client's `Histogram.observe` takes one value and a lock per call: about a
    millisecond and a half for a 1000-row batch, a tenth of the request. Here numpy bins
    the batch and one lock adds its counts. The series are a `Histogram`'s: `_bucket{le}`
    (cumulative, `+Inf` included), `_count` and `_sum`. Values must be finite.
    """

    def __init__(
        self,
        name: str,
        documentation: str,
        buckets: Sequence[float],
        namespace: str,
        registry: CollectorRegistry,
    ) -> None:
        self.name = f"{namespace}_{name}" if namespace else name
        self.documentation = documentation
        bounds = [float(bound) for bound in buckets]
        self.upper_bounds = np.asarray(bounds if bounds[-1] == math.inf else [*bounds, math.inf])
        self._counts = np.zeros(len(self.upper_bounds), dtype=np.int64)
        self._sum = 0.0
        self._lock = threading.Lock()
        registry.register(self)

    def observe(self, values: Array) -> None:
        """Add every value to the bucket with the smallest upper bound `>=` it, as `le` means."""
        counts = np.bincount(
            np.searchsorted(self.upper_bounds, values, side="left"),
            minlength=len(self.upper_bounds),
        )
        with self._lock:
            self._counts += counts
            self._sum += float(np.sum(values))

    def describe(self) -> Iterator[HistogramMetricFamily]:
        """The metric's name and type, for the registry's duplicate-name check."""
        yield HistogramMetricFamily(self.name, self.documentation)

    def collect(self) -> Iterator[HistogramMetricFamily]:
        """The cumulative buckets and the sum, read together under the lock."""
        with self._lock:
            counts, total = self._counts.copy(), self._sum
        cumulative = np.cumsum(counts).tolist()
        # `le` values spelled as prometheus-client spells them ("1.0", "+Inf"); unannotated.
        labels = [floatToGoString(bound) for bound in self.upper_bounds.tolist()]  # type: ignore[no-untyped-call]
        buckets = list(zip(labels, cumulative, strict=True))
        yield HistogramMetricFamily(self.name, self.documentation, buckets=buckets, sum_value=total)


class ServiceMetrics:
    """Every metric the service updates, registered in one dedicated registry."""

    def __init__(
        self,
        namespace: str = METRICS_NAMESPACE,
        prediction_buckets: tuple[float, ...] = PREDICTION_BUCKETS,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        # Memory and CPU of this process, `<namespace>_process_*` (read from /proc: Linux only).
        ProcessCollector(namespace=namespace, registry=registry)
        self.requests = Counter(
            "requests",
            "HTTP requests by route template, method and status code.",
            ["route", "method", "status"],
            namespace=namespace,
            registry=registry,
        )
        self.request_latency = Histogram(
            "request_latency_seconds",
            "Time to answer an HTTP request, from first byte in to last byte out.",
            ["route"],
            namespace=namespace,
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.inference_latency = Histogram(
            "inference_latency_seconds",
            "Time spent in the model pipeline for one batch, excluding HTTP and validation.",
            namespace=namespace,
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.validation_failures = Counter(
            "validation_failures",
            "Rejected request inputs by feature ('unexpected' for undeclared columns) and check.",
            ["feature", "check"],
            namespace=namespace,
            registry=registry,
        )
        self.input_rows = Counter(
            "input_rows",
            "Rows received for scoring, valid or not: the denominator of data-quality ratios.",
            namespace=namespace,
            registry=registry,
        )
        self.input_missing_values = Counter(
            "input_missing_values",
            "Received rows whose value for a feature is missing (null or absent).",
            ["feature"],
            namespace=namespace,
            registry=registry,
        )
        self.training_null_ratio = Gauge(
            "feature_training_null_ratio",
            "Share of training rows missing each feature, from the model's drift reference: "
            "the baseline of the serving null-rate alert.",
            ["feature"],
            namespace=namespace,
            registry=registry,
        )
        self.prediction_scores = BatchHistogram(
            "prediction_score",
            "Distribution of the model's monitored output per row (monitoring/prediction.py: "
            "a class probability, or the predicted value for a regressor).",
            buckets=prediction_buckets,
            namespace=namespace,
            registry=registry,
        )
        self.feature_drift = Gauge(
            "feature_drift_score",
            "Drift of a feature over the recent window vs training: PSI and KS for numeric "
            "features, Jensen-Shannon distance and the unseen-value share for categorical ones.",
            ["feature", "method"],
            namespace=namespace,
            registry=registry,
        )
        self.prediction_drift = Gauge(
            "prediction_drift_score",
            "Drift of the model's output over the recent window vs its training predictions.",
            ["method"],
            namespace=namespace,
            registry=registry,
        )
        self.drift_window_rows = Gauge(
            "drift_window_rows",
            "Rows in the sliding window that drift scores are computed over.",
            namespace=namespace,
            registry=registry,
        )
        self.predictions = Counter(
            "predictions",
            "Rows scored by the model.",
            namespace=namespace,
            registry=registry,
        )
        self.nonfinite_predictions = Counter(
            "nonfinite_predictions",
            "Batches refused because the model produced NaN or infinite values.",
            namespace=namespace,
            registry=registry,
        )
        self.model_info = Info(
            "model",
            "The loaded model: name, version, task and where it came from.",
            namespace=namespace,
            registry=registry,
        )
        self.model_ready = Gauge(
            "model_ready",
            "1 when a model is loaded and serving, else 0.",
            namespace=namespace,
            registry=registry,
        )
        self.model_created = Gauge(
            "model_created_timestamp_seconds",
            "When the loaded model was trained (Unix time), to alert on stale models.",
            namespace=namespace,
            registry=registry,
        )

    def set_model(self, labels: dict[str, str] | None, created_at: float | None) -> None:
        """Publish which model is loaded; `None` labels mean no model is loaded."""
        self.model_ready.set(0 if labels is None else 1)
        self.model_info.info(labels or {})
        if created_at is not None:
            self.model_created.set(created_at)

    def publish_drift(self, window: DriftWindow) -> None:
        """Set the drift gauges from the window (a no-op until it holds enough rows)."""
        self.drift_window_rows.set(window.rows)
        features, prediction = window.scores()
        for (feature, method), score in features.items():
            self.feature_drift.labels(feature=feature, method=method).set(score)
        for (_, method), score in prediction.items():
            self.prediction_drift.labels(method=method).set(score)
