"""Delayed-label evaluation: online metrics against offline ones (ML Test Score M2).

Labels arrive after predictions (a diagnosis a year later, a churn at month end). Join the
service's logged predictions with the labels that have arrived since, by the data's id
column (`ID_COLUMN` in io/data.py) when it has one, else by request id, compute
the primary metric on that live traffic, and compare it with what the production model
scored offline (`confs/production_metrics.json`). A gap above `--max-gap` exits 1: either
the live population drifted away from the training data, or serving differs from training.

Inputs are JSON Lines: predictions `{"<key>": ..., "score": <probability of the positive
class, or the predicted value>}` (multiclass: `"probabilities": [...]` in the model's class
order) and labels `{"<key>": ..., "label": ...}`, where `<key>` is the id column or "id".
The service writes the predictions file itself when `PREDICTION_LOG_PATH` is set
(`monitoring/logs.py`): one line per scored row, `id` = `<request id>:<row>`; rows without
the id column are joined on that `id`.
Each of `--predictions` and `--labels` is a file, a glob (`logs/predictions-*.jsonl`: one
file per pod or per day) or an fsspec URL (`s3://bucket/predictions/*.jsonl`, read with the
batch group's s3fs): every file it names is read, in path order. None found means no labels
have arrived yet: the job says so and exits 0. Schedule it (cron, CI schedule) once enough
labels have arrived; the runbook is in README.md ("Online vs offline metrics").
"""

import argparse
import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import r2_score, roc_auc_score

from ..core import schemas
from ..core.metrics import PRIMARY_METRIC
from ..io.data import ID_COLUMN
from ..io.quality import load_production
from ..meta import TASK
from .process import exit_process

KEY = ID_COLUMN or "id"
"""What joins a logged prediction to its label: the row's own id, or the request id."""

CLASSES: list[Any] = list(getattr(schemas, "CLASSES", []))
"""Class labels in the model's probability order (classification only)."""


def read_jsonl(location: str | Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line of every file `location` names, in path order.

    A missing file, or a glob that matches nothing, holds no rows.
    """
    fsspec: Any = importlib.import_module("fsspec")  # a dev dependency; s3fs: the batch group
    rows: list[dict[str, Any]] = []
    for handle in sorted(fsspec.open_files(str(location), mode="rt"), key=lambda f: f.path):
        try:
            with handle as text:
                rows += [json.loads(line) for line in text if line.strip()]
        except FileNotFoundError:
            continue
    return rows


def key_of(row: dict[str, Any]) -> str:
    """The join key of a prediction or label: the id column's value, else the logged `id`."""
    return str(row[KEY] if KEY in row else row["id"])


def online_metric(
    predictions: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> dict[str, Any]:
    """The primary metric over predictions whose label has arrived, and how many that is."""
    truth = {key_of(row): row["label"] for row in labels}
    joined = [(p, truth[key_of(p)]) for p in predictions if key_of(p) in truth]
    if len(joined) < 2:
        return {"metric": PRIMARY_METRIC, "value": None, "rows": len(joined)}
    observed = [label for _, label in joined]
    return {"metric": PRIMARY_METRIC, "value": _score(joined, observed), "rows": len(joined)}


def _score(joined: list[tuple[dict[str, Any], Any]], observed: list[Any]) -> float:
    """The primary metric of the joined predictions.

    Labels compare as text: JSON may carry a class 1 as `1` or as `"1"`.
    """
    if TASK == "regression":
        scores = np.array([float(p["score"]) for p, _ in joined])
        return float(r2_score(np.array(observed, dtype=float), scores))
    if len(CLASSES) > 2:
        probabilities = np.array([p["probabilities"] for p, _ in joined], dtype=float)
        labels = [str(c) for c in CLASSES]
        truth = [str(label) for label in observed]
        return float(roc_auc_score(truth, probabilities, multi_class="ovr", labels=labels))
    positive = [str(label) == str(CLASSES[-1]) for label in observed]
    return float(roc_auc_score(positive, np.array([float(p["score"]) for p, _ in joined])))


def compare(online: dict[str, Any], offline: float, max_gap: float, min_rows: int) -> list[str]:
    """Reasons the online metric disagrees with the offline one; empty means they agree."""
    if online["rows"] < min_rows or online["value"] is None:
        return [f"only {online['rows']} labelled predictions; need {min_rows} to compare"]
    gap = offline - online["value"]
    if not gap <= max_gap:
        return [
            f"online {PRIMARY_METRIC} = {online['value']:.4f} is {gap:.4f} below offline "
            f"{offline:.4f} (max gap {max_gap})"
        ]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Compare online and offline model quality.")
    parser.add_argument("--predictions", required=True, help="logged predictions (file/glob/URL)")
    parser.add_argument("--labels", required=True, help="labels that have arrived (file/glob/URL)")
    parser.add_argument("--max-gap", type=float, default=0.05)
    parser.add_argument("--min-rows", type=int, default=50)
    args = parser.parse_args(argv)
    predictions, labels = read_jsonl(args.predictions), read_jsonl(args.labels)
    if not predictions or not labels:
        empty = args.predictions if not predictions else args.labels
        print(f"nothing to compare yet: no rows at {empty}")
        return 0
    production = load_production()
    if production is None:
        print("no production model in confs/production_metrics.json: run make promote first")
        return 2
    online = online_metric(predictions, labels)
    offline = float(production["metrics"][PRIMARY_METRIC])
    problems = compare(online, offline, args.max_gap, args.min_rows)
    print(json.dumps({"online": online, "offline": offline, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    exit_process(main())
