"""Prometheus metrics of the service, in a registry of its own, all named `<namespace>_...`.

A dedicated `CollectorRegistry` per service instance keeps `/metrics` to what this model
exposes (no process collectors from other libraries), and lets tests build many apps
without "duplicated timeseries" errors. Label values are always from a closed set —
route templates, schema feature names, status codes — never raw user input, so a
malicious request cannot explode the number of time series.
"""

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    ProcessCollector,
    disable_created_metrics,
)

from ..meta import METRICS_NAMESPACE
from .window import DriftWindow

# `<name>_created` series double the output and no dashboard or alert here uses them.
# The switch is process-wide in prometheus-client, hence at import time.
disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Seconds; a small tabular model answers in milliseconds, so resolution is kept low down."""

PROBABILITY_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Default buckets of the prediction histogram: a probability of the positive class."""


class ServiceMetrics:
    """Every metric the service updates, registered in one dedicated registry."""

    def __init__(
        self,
        namespace: str = METRICS_NAMESPACE,
        prediction_buckets: tuple[float, ...] = PROBABILITY_BUCKETS,
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
        self.prediction_scores = Histogram(
            "prediction_score",
            "Distribution of the model's output per row (probability of the positive class, "
            "or the predicted value for a regressor).",
            namespace=namespace,
            registry=registry,
            buckets=prediction_buckets,
        )
        self.feature_drift = Gauge(
            "feature_drift_score",
            "Drift of a feature over the recent window vs training: PSI and KS for numeric "
            "features, Jensen-Shannon distance for categorical ones.",
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
