"""A smoke prediction before the service says it is ready.

An artifact can pass every load-time check (hash, task, features, classes) and still fail
to predict: an unfitted step, a library mismatch that only shows when the model runs.
Such a model would report ready and answer 500 to every request, so the service runs it
once, on rows built from its own drift reference (values seen in training: each numeric
feature's lowest, median and highest quantile, known categories), through the same
conversion, validation and prediction path a request takes.
"""

import logging

import pandas as pd

from ..core.schemas import FEATURES
from ..monitoring.drift import CategoricalReference
from ..monitoring.reference import DriftReference
from .columns import to_column
from .predictions import predict
from .validation import validate_rows

logger = logging.getLogger(__name__)

ROWS = 3


def smoke_rows(reference: DriftReference) -> pd.DataFrame | None:
    """Rows of training-time values for every feature; None when the reference lacks one."""
    columns = {}
    for feature in FEATURES:
        column = reference.features.get(feature)
        if column is None:
            return None
        if isinstance(column, CategoricalReference):
            values: list[float | str] = list(column.categories)
        else:
            sample = sorted(column.sample)
            values = [sample[0], sample[len(sample) // 2], sample[-1]] if sample else []
        if not values:
            return None
        columns[feature] = to_column(feature, [values[i % len(values)] for i in range(ROWS)])
    return pd.DataFrame(columns)


def smoke_test(pipeline: object, reference: DriftReference | None) -> str | None:
    """Predict on the reference's rows; return why that failed, or None when it worked.

    Without a reference (an artifact from before it existed) there are no known rows,
    and the model is served as before, with a warning.
    """
    rows = None if reference is None else smoke_rows(reference)
    if rows is None:
        logger.warning("no drift reference rows to smoke-test the model on; serving it untested")
        return None
    try:
        prediction = predict(pipeline, validate_rows(rows))
    except Exception as error:  # anything the model raises means it cannot serve
        return (
            f"the model loaded but failed a smoke prediction on {len(rows)} rows of its "
            f"training reference: {type(error).__name__}: {error}"
        )
    if len(prediction) != len(rows):
        return f"the model answered {len(prediction)} predictions for {len(rows)} smoke rows"
    return None
