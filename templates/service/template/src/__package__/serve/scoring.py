"""The one path from request rows to predictions, shared by `/v2/.../infer` and `/predict`.

Rows are validated by the same pandera schema training used (through a numpy fast path
for rows it accepts, see `validation.py`), failures are counted per
feature for monitoring, and only then does the pipeline run, timed on its own so a slow
model is told apart from a slow network.
"""

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from pandera.errors import SchemaErrors

from ..core.schemas import FEATURES
from ..io.artifacts import Artifact
from ..monitoring.metrics import ServiceMetrics
from ..monitoring.monitor import Monitor
from .errors import FeatureTypeError, InputError, PredictionError
from .predictions import Prediction, predict, to_logged, to_records
from .state import ModelState
from .validation import validate_rows

MAX_REPORTED_FAILURES = 10


def check_name(check: str) -> str:
    """`greater_than_or_equal_to(0)` → `greater_than_or_equal_to`: a closed set of labels."""
    match = re.match(r"[A-Za-z_]+", check)
    return match.group(0) if match else "other"


def describe_schema_errors(errors: SchemaErrors) -> tuple[list[tuple[str, str]], list[str]]:
    """Return ((feature, check) per failure to count, one sentence per distinct failure)."""
    features: list[tuple[str, str]] = []
    messages: list[str] = []
    for case in errors.failure_cases.to_dict("records"):
        check, value, row = str(case["check"]), case["failure_case"], case["index"]
        if check == "column_in_schema":
            feature, message = "unexpected", f"unexpected feature {value!r}"
        elif check == "column_in_dataframe":
            feature, message = str(value), f"missing feature {value!r}"
        else:
            feature = str(case["column"])
            where = "" if pd.isna(row) else f" in row {int(row)}"
            message = f"{feature}: {value!r}{where} fails {check}"
            if check == "not_nullable":  # the client sent null, not pandera's NaN
                message = f"{feature}: null{where} is not allowed; this feature is required"
        if feature not in FEATURES:
            feature = "unexpected"  # never a label value taken from user input
        features.append((feature, check_name(check)))
        if message not in messages:
            messages.append(message)
    return features, messages


@dataclass(frozen=True)
class Scorer:
    """Validates rows, runs the loaded model on them and records what happened."""

    state: ModelState
    metrics: ServiceMetrics
    monitor: Monitor | None = field(default=None)
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)
    """Held by each request while it is scored, REST or gRPC: one at a time in this process.

    Building the frame, validating and predicting are Python under the GIL: requests taking
    turns at them on the server's threads served ~30% fewer calls, with p99s twice as long,
    than one after the other (`pnpm bench`). Health, metadata and metrics never take it, so
    they never wait behind a model on a thread; run more processes (replicas) for more cores.
    Taken around each whole scoring by the dispatch (`dispatch.py`) both transports score
    through."""

    def rows(self, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Build a request's frame, counting a value of the wrong JSON type per feature (N2).

        The type check runs before the schema (`columns.py`); without this, a client that
        sends a number for a text category would be refused but never show up in the
        per-feature failure metric.
        """
        try:
            return build()
        except FeatureTypeError as error:
            self.metrics.validation_failures.labels(feature=error.feature, check="dtype").inc()
            raise

    def score(self, rows: pd.DataFrame) -> tuple[Artifact, Prediction]:
        """Return the artifact used and its prediction for `rows`.

        Raises `ModelNotReadyError` (503), `InputError` (422) or `PredictionError` (500).
        """
        artifact = self.state.require()
        if self.monitor is not None:
            self.monitor.observe_input(rows)
        try:
            features = validate_rows(rows)
        except SchemaErrors as errors:
            failed, messages = describe_schema_errors(errors)
            for feature, check in failed:
                self.metrics.validation_failures.labels(feature=feature, check=check).inc()
            shown = messages[:MAX_REPORTED_FAILURES]
            if len(messages) > len(shown):
                shown.append(f"and {len(messages) - len(shown)} more")
            raise InputError("invalid input: " + "; ".join(shown)) from errors
        started = time.perf_counter()
        try:
            prediction = predict(artifact.pipeline, features)
        except PredictionError:
            self.metrics.nonfinite_predictions.inc()
            raise
        finally:
            self.metrics.inference_latency.observe(time.perf_counter() - started)
        self.metrics.predictions.inc(len(prediction))
        if self.monitor is not None:
            self.monitor.observe_scored(features, prediction.scores, lambda: to_records(prediction))
            self.monitor.log_predictions(lambda: to_logged(prediction), artifact.version)
        return artifact, prediction
