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
    """Confusion matrix, ROC, precision-recall and calibration curves."""
    probability = np.asarray(model.predict_proba(rows))[:, 1]
    paths = []
    fig, ax = plt.subplots(figsize=(4, 4))
    ConfusionMatrixDisplay.from_predictions(truth, model.predict(rows), ax=ax, colorbar=False)
    paths.append(_save(fig, output / "confusion_matrix.png"))
    fig, ax = plt.subplots(figsize=(4, 4))
    RocCurveDisplay.from_predictions(truth, probability, ax=ax)
    paths.append(_save(fig, output / "roc_curve.png"))
    fig, ax = plt.subplots(figsize=(4, 4))
    PrecisionRecallDisplay.from_predictions(truth, probability, ax=ax)
    paths.append(_save(fig, output / "precision_recall.png"))
    observed, predicted = calibration_curve(truth, probability, n_bins=8)
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
