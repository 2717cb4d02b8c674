"""`make report`: an evaluation report (HTML + PNG plots) for the trained artifact.

Scores the artifact on the same held-out rows training used (same config, same seed) and
draws what a reviewer needs: confusion matrix, ROC and precision-recall curves and
calibration (classification) or residuals and predicted-vs-actual (regression), metrics by
slice and permutation feature importance. Writes `reports/evaluation/index.html`.
"""

import argparse
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: CI machines and containers have none

import matplotlib.pyplot as plt
from sklearn.inspection import permutation_importance

from ..core.metrics import PRIMARY_METRIC, QualityGate, gate_failures
from ..io.artifacts import load_artifact
from ..io.config import DEFAULT_CONFIG, load_config
from ..io.data import load_dataset
from ..meta import TASK
from .process import exit_process
from .report_plots import classification_plots, regression_plots


def _bar(path: Path, labels: list[str], values: list[float], title: str) -> Path:
    """One horizontal bar chart, saved as PNG."""
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(labels) + 1.2))
    ax.barh(labels, values, color="#4c72b0")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def build_report(model_dir: Path, config_path: Path, output: Path) -> Path:
    """Write every plot and the HTML page into `output`; return the page's path."""
    output.mkdir(parents=True, exist_ok=True)
    artifact = load_artifact(model_dir)
    config = load_config(config_path)
    _, holdout = load_dataset().split(config.holdout_fraction, config.seed)
    model, rows, truth = artifact.pipeline, holdout.features, holdout.target.to_numpy()
    plots = classification_plots if TASK == "classification" else regression_plots
    images: list[Path] = plots(model, rows, truth, output)
    slices = artifact.metadata.slice_metrics
    images.append(
        _bar(
            output / "slices.png",
            list(slices),
            [m[PRIMARY_METRIC] for m in slices.values()],
            f"{PRIMARY_METRIC} by slice",
        )
    )
    importance = permutation_importance(model, rows, truth, n_repeats=10, random_state=0)
    images.append(
        _bar(
            output / "feature_importance.png",
            list(rows.columns),
            importance.importances_mean.tolist(),
            "Permutation importance (held-out)",
        )
    )
    metadata = artifact.metadata
    # The gate as configured now: a config tightened since training shows here before CI.
    failures = gate_failures(metadata.metrics, metadata.baseline_metrics, config.quality_gate)
    page = output / "index.html"
    page.write_text(
        _html(metadata.name, metadata.model_dump(), images, _verdict(failures, config.quality_gate))
    )
    return page


# What each plot shows and how to read it, under the plot (keyed by the image's file stem).
MEANINGS = {
    "confusion_matrix": "Held-out rows by true (rows) and predicted (columns) class: the "
    "diagonal is right; large off-diagonal cells are the mistakes to look at.",
    "roc_curve": "True against false positive rate as the threshold moves; the area (ROC AUC) "
    "is the chance a positive scores above a negative (0.5: guessing).",
    "precision_recall": "Precision against recall as the threshold moves: what a threshold "
    "costs in false alarms for each share of positives found; matters most when positives "
    "are rare.",
    "calibration": "Predicted probability (or value) against what happened, in bins: on the "
    "diagonal, a score can be read as a probability (or an estimate) as it is.",
    "residuals": "Prediction errors against the predicted value: a band around 0 with no "
    "shape is good; a funnel or a curve means the model misses a pattern.",
    "slices": f"{PRIMARY_METRIC} within each slice of confs/quality.yaml: a slice far below the "
    "others is a group the model serves worse (its minimum is in that file).",
    "feature_importance": f"How much held-out {PRIMARY_METRIC} drops when a feature's values are "
    "shuffled: near 0 means the model does not use it.",
}


def _verdict(failures: list[str], gate: QualityGate) -> str:
    """The gate's verdict first, with what the gate requires, as an HTML section."""
    limits = [f"{name} ≥ {limit}" for name, limit in gate.minimums.items()]
    limits += [f"{name} ≤ {limit}" for name, limit in gate.maximums.items()]
    limits.append(f"{PRIMARY_METRIC} beats the dummy baseline by ≥ {gate.baseline_margin}")
    status = "passed" if not failures else "failed"
    reasons = "".join(f"<li>{html.escape(f)}</li>" for f in failures)
    return (
        f'<section id="verdict" class="{status}"><h2>Quality gate: {status}</h2>'
        f"<p>On the held-out rows, as <code>confs/train.yaml</code> sets it now: "
        f"{html.escape('; '.join(limits))}.</p>"
        + (f"<ul>{reasons}</ul>" if failures else "")
        + "</section>"
    )


def _html(name: str, metadata: dict[str, Any], images: list[Path], verdict: str) -> str:
    """A self-contained page: the gate's verdict, the metrics table and the plots."""
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v:.4f}</td>"
        f"<td>{metadata['baseline_metrics'].get(k, float('nan')):.4f}</td>"
        f"<td>{metadata['linear_baseline_metrics'].get(k, float('nan')):.4f}</td></tr>"
        for k, v in sorted(metadata["metrics"].items())
    )
    figures = "".join(
        f'<figure><img src="{p.name}" alt="{html.escape(p.stem)}">'
        f"<figcaption><b>{html.escape(p.stem.replace('_', ' '))}</b>: "
        f"{html.escape(MEANINGS.get(p.stem, ''))}</figcaption></figure>"
        for p in images
    )
    gaps = ", ".join(f"{k}: {v:.4f}" for k, v in metadata["fairness_gaps"].items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation: {html.escape(name)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}
td,th{{padding:2px 10px;border-bottom:1px solid #ddd}}figure{{display:inline-block}}
img{{max-width:440px}}figcaption{{max-width:440px;font-size:90%}}
.passed h2{{color:#1a7f37}}.failed h2{{color:#cf222e}}</style></head><body>
<h1>Evaluation report: {html.escape(name)} {html.escape(str(metadata["version"]))}</h1>
{verdict}
<p>Held-out metrics of the trained artifact. <i>model</i>: the trained pipeline;
<i>dummy</i>: a baseline that ignores the features (the majority class, or the mean);
<i>linear</i>: a linear model on the same features, the bar a complex model must clear to be
worth its cost. Fairness gaps (largest difference between groups of a protected
attribute): {html.escape(gaps)}.</p>
<table id="metrics">
<tr><th>metric</th><th>model</th><th>dummy</th><th>linear</th></tr>{rows}</table>
<h2>Plots</h2>{figures}
</body></html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Write the evaluation report (HTML + PNG).")
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--output", type=Path, default=Path("reports/evaluation"))
    args = parser.parse_args(argv)
    page = build_report(args.model_dir, args.config, args.output)
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    exit_process(main())
