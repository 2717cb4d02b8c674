"""Delayed-label evaluation: online metrics against offline ones (ML Test Score M2).

Labels arrive after predictions (a diagnosis a year later, a churn at month end). Join the
service's logged predictions with the labels that have arrived since, by request id, compute
the primary metric on that live traffic, and compare it with what the production model
scored offline (`confs/production_metrics.json`). A gap above `--max-gap` exits 1: either
the live population drifted away from the training data, or serving differs from training.

Inputs are JSON Lines: predictions `{"id": ..., "score": <probability of class 1 or the
predicted value>}` and labels `{"id": ..., "label": ...}`. Schedule it (cron, CI schedule)
once enough labels have arrived; the runbook is in README.md ("Online vs offline metrics").
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import r2_score, roc_auc_score

from ..core.metrics import PRIMARY_METRIC
from ..io.quality import load_production
from ..meta import TASK


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per non-empty line."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def online_metric(
    predictions: list[dict[str, Any]], labels: list[dict[str, Any]]
) -> dict[str, Any]:
    """The primary metric over predictions whose label has arrived, and how many that is."""
    truth = {str(row["id"]): row["label"] for row in labels}
    joined = [
        (float(p["score"]), truth[str(p["id"])]) for p in predictions if str(p["id"]) in truth
    ]
    if len(joined) < 2:
        return {"metric": PRIMARY_METRIC, "value": None, "rows": len(joined)}
    scores = np.array([score for score, _ in joined])
    observed = np.array([label for _, label in joined], dtype=float)
    score_fn = roc_auc_score if TASK == "classification" else r2_score
    return {
        "metric": PRIMARY_METRIC,
        "value": float(score_fn(observed, scores)),
        "rows": len(joined),
    }


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
    parser.add_argument("--predictions", type=Path, required=True, help="logged predictions")
    parser.add_argument("--labels", type=Path, required=True, help="labels that have arrived")
    parser.add_argument("--max-gap", type=float, default=0.05)
    parser.add_argument("--min-rows", type=int, default=50)
    args = parser.parse_args(argv)
    production = load_production()
    if production is None:
        print("no confs/production_metrics.json: promote a model first (make promote)")
        return 2
    online = online_metric(read_jsonl(args.predictions), read_jsonl(args.labels))
    offline = float(production["metrics"][PRIMARY_METRIC])
    problems = compare(online, offline, args.max_gap, args.min_rows)
    print(json.dumps({"online": online, "offline": offline, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
