"""A batch run's summary as Prometheus metrics, pushed to a Pushgateway or written to a file.

A batch job is not scraped the way the service is: its process exits, often before
Prometheus' next scrape, so its numbers have to be left somewhere that outlives it.
With `PUSHGATEWAY_URL` set, the run pushes them to that Pushgateway (Prometheus' documented
pattern for service-level batch jobs, scraped with `honor_labels: true`) under
`/metrics/job/<BATCH_JOB>`, replacing the group of this batch's previous run. Without it,
the same registry is written to `<OUTPUT>/metrics.prom` in the text format node-exporter's
textfile collector reads (copy it into the collector's directory on a host node-exporter
scrapes; it is also readable as it is).

Every series carries the label `batch` (`BATCH_JOB`, default `batch-score`): that is how
alerts and dashboards tell one scheduled batch from another and from the service, whose
drift gauges have the same names (`<namespace>_feature_drift_score{feature,method}`,
`<namespace>_prediction_drift_score{method}`). The contract is monitoring/metrics.yaml.

Metrics are reported once the output is published. A push that fails (gateway down,
unreachable, slower than `PUSH_TIMEOUT_SECONDS`) does not fail the run: the predictions are
written and correct, so the job warns on stderr, writes the metrics file instead and exits
0. The missed push is not silent: the batch's last-success timestamp ages until the
ModelBatchNotSucceeding alert fires.
"""

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, write_to_textfile

from ..meta import METRICS_NAMESPACE

TEXTFILE: Final = "metrics.prom"
DEFAULT_JOB: Final = "batch-score"
PUSH_TIMEOUT_SECONDS: Final = 10.0
"""Bounds the push: a gateway that hangs delays the job's exit by this much, no more."""
PREDICTION: Final = "prediction"
"""The name the drift summary gives the model's output, beside the features."""
COUNTS: Final = {
    "rows_in": "Rows in the batch's input, valid or not.",
    "rows_scored": "Rows of the batch scored by the model (OUTPUT/predictions/).",
    "rows_rejected": "Rows of the batch the feature schema refused (OUTPUT/rejects/).",
}


def batch_registry(
    summary: Mapping[str, Any], job: str, now: float, namespace: str = METRICS_NAMESPACE
) -> CollectorRegistry:
    """The run's row counts, duration, drift and success time, every series `batch=job`."""
    registry = CollectorRegistry()

    def gauge(name: str, documentation: str, *labels: str) -> Gauge:
        labelnames = ["batch", *labels]
        return Gauge(name, documentation, labelnames, namespace=namespace, registry=registry)

    for key, documentation in COUNTS.items():
        gauge(f"batch_{key}", documentation).labels(job).set(summary[key])
    duration = gauge("batch_duration_seconds", "Seconds the batch took, start to published output.")
    duration.labels(job).set(summary["seconds"])
    success = gauge("batch_last_success_timestamp_seconds", "When the batch last published output.")
    success.labels(job).set(now)
    drift = summary["drift"]
    scores: Mapping[str, Mapping[str, float]] = drift.get("scores", {})
    drifted = gauge(
        "batch_drifted_features",
        "Features whose drift score crossed the alert threshold in the batch (0 if unscored).",
    )
    drifted.labels(job).set(sum(name != PREDICTION for name in drift.get("drifted", [])))
    features = gauge(
        "feature_drift_score",
        "Drift of a feature in the batch vs training: the service's gauge, per batch.",
        "feature",
        "method",
    )
    prediction = gauge(
        "prediction_drift_score",
        "Drift of the model's output in the batch vs its training predictions.",
        "method",
    )
    for name, by_method in scores.items():
        for method, score in by_method.items():
            if name == PREDICTION:
                prediction.labels(job, method).set(score)
            else:
                features.labels(job, name, method).set(score)
    return registry


def report_metrics(
    summary: Mapping[str, Any],
    output: Path,
    environ: Mapping[str, str] = os.environ,
    now: float | None = None,
) -> str:
    """Push the run's metrics, or write them to `output/metrics.prom`; say where they went.

    `environ` and `now` are the process's environment and clock unless a caller passes its own.
    """
    job = environ.get("BATCH_JOB") or DEFAULT_JOB
    registry = batch_registry(summary, job, time.time() if now is None else now)
    gateway = environ.get("PUSHGATEWAY_URL")
    if gateway:
        try:
            push_to_gateway(gateway, job=job, registry=registry, timeout=PUSH_TIMEOUT_SECONDS)
        except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts, a bad URL
            print(
                f"warning: batch metrics not pushed to {gateway} ({error}); the output is "
                f"complete, metrics written to {output / TEXTFILE} instead",
                file=sys.stderr,
            )
        else:
            print(f"batch metrics pushed to {gateway} as job {job}")
            return f"{gateway} (job {job})"
    try:
        write_to_textfile(str(output / TEXTFILE), registry)
    except OSError as error:  # the output is published: a metrics file is no reason to fail
        print(
            f"warning: batch metrics not written to {output / TEXTFILE}: {error}", file=sys.stderr
        )
        return "nowhere"
    print(f"batch metrics written to {output / TEXTFILE}")
    return str(output / TEXTFILE)
