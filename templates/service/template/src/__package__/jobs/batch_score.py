"""`make batch-score INPUT=<file or URL> OUTPUT=<dir>`: score a file of rows with the model.

Writes `<dir>/predictions/` (Parquet parts: `row`, the id column when the project has one,
`prediction`, a probability per class for a classifier, `model_version`), `<dir>/rejects/`
(the rows the feature schema refused, as read, with a `reason`), `<dir>/summary.json`
(row counts, seconds, the batch's drift against the training reference) and, unless a
Pushgateway takes them, the run's metrics in `<dir>/metrics.prom` (`batch/metrics.py`).
`<dir>` may be an fsspec URL (`s3://...`): see `batch/remote.py`. Everything is
written to a hidden directory beside `<dir>` and renamed into place once complete, so a
run that fails leaves no output that looks finished. Exit codes: 0 done; 1 the run
failed; 2 it could not start (no input, no model, an output path that is not a batch's).
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from ..batch.local import BatchJob, Totals, run_local
from ..batch.metrics import report_metrics
from ..batch.ray_engine import run_ray
from ..batch.remote import RemoteOutputError, check_remote, is_url, publish_remote
from ..batch.source import BatchInputError, input_format
from ..io.artifacts import ArtifactError, load_artifact
from ..monitoring.reference import load_reference
from .process import exit_process

SUMMARY: Final = "summary.json"
CHUNK_ROWS: Final = 50_000
Engine = Callable[[BatchJob, Path], Totals]
ENGINES: Final[dict[str, Engine]] = {"local": run_local, "ray": run_ray}
"""Engines by `ENGINE=` name; each scores a job into a directory the same way."""


class OutputError(Exception):
    """The output path holds something that is not a previous batch's output."""


def staging_dir(output: Path) -> Path:
    """A fresh hidden directory beside `output` (same file system: the rename is atomic)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def publish(staging: Path, output: Path) -> None:
    """Move a complete output into place, replacing a previous batch output only."""
    if output.exists() and not (output / SUMMARY).is_file():
        raise OutputError(f"{output} exists and is not a batch output: choose another OUTPUT")
    previous = output.parent / f".{output.name}.previous-{uuid.uuid4().hex[:8]}"
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)


def run(
    input_location: str, output_location: str, model_dir: Path, engine: str, chunk_rows: int
) -> dict[str, object]:
    """Score the input into the output; return the summary also written to `summary.json`.

    A URL output is staged in a local temporary directory and uploaded when complete
    (`batch/remote.py`); a local one is staged beside it and renamed into place.
    """
    started = time.perf_counter()
    input_format(input_location)  # an unsupported file is refused before the model loads
    remote = is_url(output_location)
    output = Path(tempfile.mkdtemp(prefix="batch-")) / "output" if remote else Path(output_location)
    if remote:
        check_remote(output_location, SUMMARY)
    elif output.exists() and not (output / SUMMARY).is_file():
        raise OutputError(f"{output} exists and is not a batch output: choose another OUTPUT")
    artifact = load_artifact(model_dir)
    reference = load_reference(model_dir)
    job = BatchJob(input_location, artifact.pipeline, artifact.metadata.version, chunk_rows)
    staging = staging_dir(output)
    try:
        totals = ENGINES[engine](job, staging)
        summary: dict[str, object] = {
            "input": input_location,
            "engine": engine,
            "model": {"name": artifact.metadata.name, "version": artifact.metadata.version},
            "chunk_rows": chunk_rows,
            "chunks": totals.chunks,
            "rows_in": totals.rows_in,
            "rows_scored": totals.rows_scored,
            "rows_rejected": totals.rows_rejected,
            "input_columns": totals.columns,
            "drift": totals.drift.summary(reference),
            "seconds": round(time.perf_counter() - started, 3),
        }
        (staging / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
        if remote:  # metrics.prom goes up with the tables; summary.json is uploaded last
            report_metrics(summary, staging)
            publish_remote(staging, output_location, SUMMARY)
        else:
            publish(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if remote:
            shutil.rmtree(output.parent, ignore_errors=True)
    if not remote:
        report_metrics(summary, output)  # a Pushgateway's or OUTPUT/metrics.prom (metrics.py)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Score a CSV or Parquet file of rows.")
    parser.add_argument("--input", required=True, help="a path or fsspec URL (.csv, .parquet)")
    parser.add_argument("--output", required=True, help="a directory or fsspec URL")
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--engine", choices=sorted(ENGINES), default="local")
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    args = parser.parse_args(argv)
    if args.chunk_rows < 1:
        parser.error("--chunk-rows must be at least 1")
    try:
        summary = run(args.input, args.output, args.model_dir, args.engine, args.chunk_rows)
    except (BatchInputError, ArtifactError, OutputError, RemoteOutputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # any failure mid-run: nothing was published
        print(f"error: batch scoring failed, no output written: {error!r}", file=sys.stderr)
        return 1
    print(
        f"scored {summary['rows_scored']} of {summary['rows_in']} rows "
        f"({summary['rows_rejected']} rejected) in {summary['seconds']} s: {args.output}/"
    )
    return 0


if __name__ == "__main__":
    exit_process(main())
