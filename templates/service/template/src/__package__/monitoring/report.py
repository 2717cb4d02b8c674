"""`make drift-report`: an HTML report comparing a file of production inputs with training.

Input: a CSV of feature columns, or JSONL request logs (`REQUEST_LOG_PATH`, one object per
line with `inputs`: rows; redacted values are skipped). Output: one self-contained HTML
file with every feature's drift scores and a bar chart (inline SVG, no plotting library)
of training vs production shares per bin.
"""

import argparse
import html
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.schemas import FEATURES
from .drift import Array, NumericReference, bin_counts, score_column
from .reference import DriftReference, load_reference

WIDTH, HEIGHT = 360, 120


def read_inputs(path: Path) -> pd.DataFrame:
    """Load production rows from CSV or JSONL request logs; non-numeric values become NaN."""
    if path.suffix == ".jsonl":
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        rows = [row for entry in lines for row in entry.get("inputs", [])]
        frame = pd.DataFrame.from_records(rows)
    else:
        frame = pd.read_csv(path)
    columns = frame.reindex(columns=list(FEATURES))
    return pd.DataFrame({name: pd.to_numeric(columns[name], errors="coerce") for name in FEATURES})


def shares(reference: DriftReference, feature: str, values: Array) -> tuple[Array, Array]:
    """(training shares, production shares) over the reference's bins or categories."""
    column = reference.features[feature]
    if isinstance(column, NumericReference):
        counts = bin_counts(values, np.asarray(column.edges)).astype(np.float64)
    else:
        counts = np.array([np.sum(values == c) for c in column.categories], dtype=np.float64)
    return np.asarray(column.proportions), counts / max(counts.sum(), 1.0)


def bar_chart(expected: Array, actual: Array) -> str:
    """Side-by-side bars per bin: training (grey) and production (blue)."""
    top = max(float(expected.max()), float(actual.max()), 1e-9)
    step = WIDTH / len(expected)
    bars = []
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        for offset, share, colour in ((0.1, e, "#999"), (0.5, a, "#1f77b4")):
            h = HEIGHT * float(share) / top
            bars.append(
                f'<rect x="{i * step + offset * step:.1f}" y="{HEIGHT - h:.1f}" '
                f'width="{0.4 * step:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
    return f'<svg width="{WIDTH}" height="{HEIGHT}" role="img">{"".join(bars)}</svg>'


def render(reference: DriftReference, frame: pd.DataFrame) -> str:
    """The whole report as HTML."""
    sections = []
    for feature in FEATURES:
        values = frame[feature].dropna().to_numpy(dtype=np.float64)
        if values.size == 0:
            sections.append(f"<h2>{html.escape(feature)}</h2><p>no values</p>")
            continue
        scores = score_column(reference.features[feature], values)
        listed = ", ".join(f"{m} = {s:.3f}" for m, s in scores.items())
        chart = bar_chart(*shares(reference, feature, values))
        sections.append(f"<h2>{html.escape(feature)}</h2><p>{listed}</p>{chart}")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Drift report</title></head>"
        f"<body><h1>Drift report</h1><p>{len(frame)} production rows vs "
        f"{reference.rows} training rows. Grey: training, blue: production. PSI &gt; 0.25 "
        "or Jensen-Shannon &gt; 0.1 is drift.</p>" + "".join(sections) + "</body></html>\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="HTML drift report vs the training reference.")
    parser.add_argument("--input", type=Path, required=True, help="CSV or JSONL request log")
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--output", type=Path, default=Path("reports/drift.html"))
    args = parser.parse_args(argv)
    reference = load_reference(args.model_dir)
    if reference is None:
        parser.error(f"no drift reference in {args.model_dir}/ (run `make train`)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(reference, read_inputs(args.input)))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
