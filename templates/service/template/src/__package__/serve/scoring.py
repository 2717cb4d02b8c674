"""The one path from request rows to predictions, shared by `/v2/.../infer` and `/predict`.

Rows are validated by the same pandera schema training used, failures are counted per
feature for monitoring, and only then does the pipeline run, timed on its own so a slow
model is told apart from a slow network.
"""

import time
from dataclasses import dataclass

import pandas as pd
from pandera.errors import SchemaErrors

from ..core.schemas import FEATURES, validate_features
from ..io.artifacts import Artifact
from ..monitoring.metrics import ServiceMetrics
from .errors import InputError, PredictionError
from .predictions import Prediction, predict
from .state import ModelState

MAX_REPORTED_FAILURES = 10


def describe_schema_errors(errors: SchemaErrors) -> tuple[list[str], list[str]]:
    """Return (features to count as failed, one readable sentence per distinct failure)."""
    features: list[str] = []
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
        if feature not in FEATURES:
            feature = "unexpected"  # never a label value taken from user input
        features.append(feature)
        if message not in messages:
            messages.append(message)
    return features, messages


@dataclass(frozen=True)
class Scorer:
    """Validates rows, runs the loaded model on them and records what happened."""

    state: ModelState
    metrics: ServiceMetrics

    def score(self, rows: pd.DataFrame) -> tuple[Artifact, Prediction]:
        """Return the artifact used and its prediction for `rows`.

        Raises `ModelNotReadyError` (503), `InputError` (422) or `PredictionError` (500).
        """
        artifact = self.state.require()
        try:
            features = validate_features(rows)
        except SchemaErrors as errors:
            failed, messages = describe_schema_errors(errors)
            for feature in failed:
                self.metrics.validation_failures.labels(feature=feature).inc()
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
        return artifact, prediction
