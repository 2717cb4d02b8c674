"""`make drift-report`: an HTML report comparing a file of production inputs with training.

Input: a CSV of feature columns, or JSONL request logs (`REQUEST_LOG_PATH`, one object per
line with `inputs`: rows; redacted values are skipped). Output: one self-contained HTML
file with every feature's drift scores, null rate vs training, and a bar chart (inline SVG,
no plotting library) of training vs production shares per bin or category — the last bar
of a categorical feature is the share of values outside the training categories.
"""

import argparse
import html
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.schemas import CATEGORICAL, FEATURES
from .drift import Array, NumericReference, bin_counts, category_counts, score_column
from .logs import REDACTED
from .reference import DriftReference, categories, load_reference

WIDTH, HEIGHT = 360, 120


def read_inputs(path: Path) -> pd.DataFrame:
    """Load production rows from CSV or JSONL request logs, unvalidated.

    Redacted values become missing; a numeric feature's non-numbers too. Categorical values
    are kept as they are, so values outside the training categories show up as unseen.
    """
    if path.suffix == ".jsonl":
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        rows = [row for entry in lines for row in entry.get("inputs", [])]
        frame = pd.DataFrame.from_records(rows)
    else:
        frame = pd.read_csv(path)
    columns = frame.reindex(columns=list(FEATURES)).astype(object).replace(REDACTED, None)
    coded = {name for name, values in categories().items() if not isinstance(values[0], str)}
    return pd.DataFrame(
        {
            name: columns[name].map(as_code)
            if name in coded
            else columns[name]
            if name in CATEGORICAL
            else pd.to_numeric(columns[name], errors="coerce")
            for name in FEATURES
        }
    )


def as_code(value: object) -> object:
    """A numeric category code read as text ("2" in a CSV column with a stray label) → 2.0."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def shares(reference: DriftReference, feature: str, values: pd.Series) -> tuple[Array, Array]:
    """(training shares, production shares) of non-null values per bin or category.

    A categorical feature gets one more bar: values outside the training categories.
    """
    column = reference.features[feature]
    if isinstance(column, NumericReference):
        numbers = values.to_numpy(dtype=np.float64)
        counts = bin_counts(numbers, np.asarray(column.edges)).astype(np.float64)
        expected = np.asarray(column.proportions)
    else:
        tally = category_counts(values.to_numpy(dtype=object), column.categories)
        counts = np.append(tally.known, tally.unseen)
        expected = np.append(column.proportions, 0.0)
    return expected, counts / max(counts.sum(), 1.0)


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
        values = frame[feature].dropna()
        if values.size == 0:
            sections.append(f"<h2>{html.escape(feature)}</h2><p>no values</p>")
            continue
        column = reference.features[feature]
        scores = score_column(column, frame[feature].to_numpy())
        listed = ", ".join(f"{m} = {s:.3f}" for m, s in scores.items())
        rate = 1 - values.size / len(frame)
        nulls = f"null rate = {rate:.3f} (training {column.null_rate:.3f})"
        chart = bar_chart(*shares(reference, feature, values))
        sections.append(f"<h2>{html.escape(feature)}</h2><p>{listed}; {nulls}</p>{chart}")
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
