"""The task-specific plots of the evaluation report, one PNG each (matplotlib, Agg)."""

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay


def _save(fig: Any, path: Path) -> Path:
    """Save and close, so a long report does not hold every figure in memory."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def classification_plots(
    model: Any, rows: pd.DataFrame, truth: npt.NDArray[Any], output: Path
) -> list[Path]:
    """Confusion matrix, ROC, precision-recall and calibration curves.

    With more than two classes every curve is one-vs-rest, one line per class, and the
    calibration plot is the predicted class's confidence against how often it was right.
    """
    classes = list(model.classes_)
    probabilities = np.asarray(model.predict_proba(rows))
    paths = []
    size = max(4, len(classes))
    fig, ax = plt.subplots(figsize=(size, size))
    ConfusionMatrixDisplay.from_predictions(
        truth, model.predict(rows), labels=classes, ax=ax, colorbar=False
    )
    paths.append(_save(fig, output / "confusion_matrix.png"))
    # Binary: the positive class only; multiclass: each class against the rest.
    curves = classes[1:] if len(classes) == 2 else classes
    fig, ax = plt.subplots(figsize=(4, 4))
    for label in curves:
        column = probabilities[:, classes.index(label)]
        RocCurveDisplay.from_predictions(truth == label, column, ax=ax, name=str(label))
    paths.append(_save(fig, output / "roc_curve.png"))
    fig, ax = plt.subplots(figsize=(4, 4))
    for label in curves:
        column = probabilities[:, classes.index(label)]
        PrecisionRecallDisplay.from_predictions(truth == label, column, ax=ax, name=str(label))
    paths.append(_save(fig, output / "precision_recall.png"))
    if len(classes) == 2:
        correct, probability = truth == classes[1], probabilities[:, 1]
    else:
        correct, probability = truth == model.predict(rows), probabilities.max(axis=1)
    observed, predicted = calibration_curve(correct, probability, n_bins=8)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "k--", label="perfect")
    ax.plot(predicted, observed, "o-", label="model")
    ax.set(xlabel="predicted probability", ylabel="observed frequency", title="Calibration")
    ax.legend()
    paths.append(_save(fig, output / "calibration.png"))
    return paths


def regression_plots(
    model: Any, rows: pd.DataFrame, truth: npt.NDArray[Any], output: Path
) -> list[Path]:
    """Residuals against predictions, and predicted against actual (calibration)."""
    predicted = np.asarray(model.predict(rows), dtype=float)
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(predicted, truth - predicted, s=10)
    ax.axhline(0, color="k", linestyle="--")
    ax.set(xlabel="predicted", ylabel="residual", title="Residuals")
    paths = [_save(fig, output / "residuals.png")]
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.scatter(truth, predicted, s=10)
    low, high = float(min(truth.min(), predicted.min())), float(max(truth.max(), predicted.max()))
    ax.plot([low, high], [low, high], "k--")
    ax.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (calibration)")
    paths.append(_save(fig, output / "calibration.png"))
    return paths
