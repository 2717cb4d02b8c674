"""`make explain ROW='{"<feature>": <value>, ...}'`: why the model said what it said (I5).

Prints, for one row: the validated input, the output of every Pipeline step (the model
inputs the estimator actually saw), each feature's contribution to the score when the
estimator is linear, and the prediction. Uses the trained artifact, as the service does.
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.schemas import validate_features
from ..io.artifacts import load_artifact
from .process import exit_process


def explain(pipeline: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Step-by-step account of one prediction, as plain JSON-ready values."""
    frame = validate_features(pd.DataFrame([row]))
    steps: dict[str, dict[str, float]] = {}
    current: Any = frame
    for name, step in pipeline.steps[:-1]:
        current = step.transform(current)
        columns = [str(c) for c in step.get_feature_names_out()]
        steps[name] = dict(zip(columns, _dense(current)[0].tolist(), strict=True))
    estimator = pipeline.steps[-1][1]
    prediction = np.asarray(pipeline.predict(frame)).tolist()[0]
    result: dict[str, Any] = {
        "input": {str(k): _plain(v) for k, v in frame.iloc[0].items()},
        "steps": steps,
        "prediction": prediction,
    }
    if hasattr(estimator, "predict_proba"):
        result["probabilities"] = np.asarray(pipeline.predict_proba(frame))[0].tolist()
    coef = getattr(estimator, "coef_", None)
    if coef is not None:
        # One weight row per class for a multiclass model: explain the predicted class's
        # score; a binary or regression model has a single row (class 1's log-odds).
        weights = np.atleast_2d(np.asarray(coef, dtype=float))
        intercepts = np.asarray(estimator.intercept_, dtype=float).reshape(-1)
        which = list(estimator.classes_).index(prediction) if len(weights) > 1 else 0
        inputs = _dense(current)[0]
        names = list(steps[list(steps)[-1]]) if steps else list(frame.columns)
        contributions = (weights[which] * inputs).tolist()
        result["contributions"] = dict(zip(names, contributions, strict=True))
        result["intercept"] = float(intercepts[which])
        result["score"] = result["intercept"] + sum(result["contributions"].values())
    return result


def _dense(matrix: Any) -> Any:
    """A step's output as a dense float array (one-hot encoders may return sparse ones)."""
    dense = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    return np.asarray(dense, dtype=float)


def _plain(value: Any) -> float | str | None:
    """A validated cell as JSON carries it: a number, a category, or None when missing."""
    if pd.isna(value):
        return None
    return value if isinstance(value, str) else float(value)


def _show(value: float | str | None) -> str:
    """A cell for the text rendering."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def render(result: dict[str, Any]) -> str:
    """The explanation as text a person reads top to bottom."""
    lines = ["input:"] + [f"  {k:>12} = {_show(v)}" for k, v in result["input"].items()]
    for step, values in result["steps"].items():
        lines += [f"step {step!r} output:"] + [f"  {k:>12} = {v:+.4f}" for k, v in values.items()]
    if "contributions" in result:
        ranked = sorted(result["contributions"].items(), key=lambda kv: -abs(kv[1]))
        lines += ["contributions (largest first):"]
        lines += [f"  {k:>12} {v:+.4f}" for k, v in ranked]
        lines += [f"  {'intercept':>12} {result['intercept']:+.4f}"]
        lines += [f"  {'= score':>12} {result['score']:+.4f}"]
    if "probabilities" in result:
        lines.append(f"probabilities: {result['probabilities']}")
    lines.append(f"prediction: {result['prediction']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Explain one prediction of the trained model.")
    parser.add_argument("--row", required=True, help="one JSON object of feature values")
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    result = explain(load_artifact(args.model_dir).pipeline, json.loads(args.row))
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0


if __name__ == "__main__":
    exit_process(main())
