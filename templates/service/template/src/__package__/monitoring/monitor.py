"""What the service records about every scored batch, beyond requests and latency.

Inputs: rows received and missing values per feature (before validation, so broken
clients show up). Outputs: the prediction-score histogram. Both together: the drift window
and the sampled request log; every row's score goes to the prediction log when one is
configured (`PREDICTION_LOG_PATH`, for `make online-eval`). The drift window exists only
when the artifact carries a drift reference (`make train` writes one); the reference also
gives each feature's training null rate (published for the null-rate alert) and PII kind
(which features the request log redacts). Without a reference every feature is redacted:
unknown means personal.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..core.schemas import FEATURES
from .drift import Array
from .logs import PredictionLog, RequestLog, json_safe
from .metrics import ServiceMetrics
from .reference import DriftReference
from .settings import MonitoringSettings
from .window import DriftWindow


class Monitor:
    """Feeds the metrics, the drift window and the request log from scored batches."""

    def __init__(self, metrics: ServiceMetrics, settings: MonitoringSettings) -> None:
        self.metrics = metrics
        self.settings = settings
        self.window: DriftWindow | None = None
        self.request_log = RequestLog(
            settings.request_log_sample_rate,
            redacted_features(None, settings),
            settings.request_log_path,
        )
        path = settings.prediction_log_path
        self.prediction_log = None if path is None else PredictionLog(path)
        for name in FEATURES:  # every series exists from the start, so rate() sees the first
            metrics.input_missing_values.labels(feature=name)

    def set_reference(self, reference: DriftReference | None) -> None:
        """Start a fresh window against a (new) model's reference, or stop drift tracking."""
        self.window = (
            None
            if reference is None
            else DriftWindow(
                reference,
                capacity=self.settings.drift_window,
                min_rows=self.settings.drift_min_rows,
            )
        )
        self.request_log.redacted = redacted_features(reference, self.settings)
        self.metrics.feature_drift.clear()
        self.metrics.prediction_drift.clear()
        self.metrics.training_null_ratio.clear()
        if reference is not None:
            for name, column in reference.features.items():
                self.metrics.training_null_ratio.labels(feature=name).set(column.null_rate)

    def observe_input(self, rows: pd.DataFrame) -> None:
        """Count received rows and, per feature, rows where it is missing."""
        self.metrics.input_rows.inc(len(rows))
        columns = [str(column) for column in rows.columns]
        nulls = pd.isna(rows.to_numpy()).sum(axis=0)  # numpy: pandas per column is 10x slower
        for name in FEATURES:
            count = int(nulls[columns.index(name)]) if name in columns else len(rows)
            if count:
                self.metrics.input_missing_values.labels(feature=name).inc(count)

    def observe_scored(
        self,
        features: pd.DataFrame,
        scores: Array,
        outputs: Callable[[], Mapping[str, Any]],
    ) -> None:
        """Record a validated batch; `outputs` is only built when the request is sampled."""
        self.metrics.prediction_scores.observe(scores)
        if self.window is not None:
            self.window.observe(features, scores)
        if self.request_log.sample():
            rows = features.to_dict("records")
            records = [{str(k): json_safe(v) for k, v in row.items()} for row in rows]
            self.request_log.write(records, outputs())

    def log_predictions(
        self, rows: Callable[[], Sequence[Mapping[str, Any]]], model_version: str
    ) -> None:
        """Write every scored row to the prediction log; `rows` is built only if there is one."""
        if self.prediction_log is not None:
            self.prediction_log.write(rows(), model_version)

    def publish(self) -> None:
        """Bring the drift gauges up to date; called before each `/metrics` scrape."""
        if self.window is not None:
            self.metrics.publish_drift(self.window)


def redacted_features(
    reference: DriftReference | None, settings: MonitoringSettings
) -> frozenset[str]:
    """Features the request log hides: by PII kind (unknown counts as personal), or by name."""
    pii = {} if reference is None else reference.pii
    kinds = settings.request_log_redact_pii
    by_kind = {name for name in FEATURES if name not in pii or pii[name] in kinds}
    return frozenset(by_kind) | settings.request_log_redact
