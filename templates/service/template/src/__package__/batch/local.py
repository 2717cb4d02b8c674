"""The embedded engine: one process, one chunk in memory at a time.

Each chunk's predictions and rejects become one Parquet part each (`part-00000.parquet`,
...), written as soon as the chunk is scored, so memory is bounded by the chunk size
(plus the drift sample), never by the input. Another engine (Ray Data's `map_batches`)
maps the same `score_chunk` over its own blocks and writes the same two directories.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .chunk import score_chunk
from .drift import DriftSample
from .outputs import empty_prediction, prediction_frame
from .rows import check_rows
from .source import read_chunks

PREDICTIONS = "predictions"
REJECTS = "rejects"


@dataclass(frozen=True)
class BatchJob:
    """What to score, with which model, in chunks of how many rows."""

    input: str
    pipeline: Any
    version: str
    chunk_rows: int


@dataclass
class Totals:
    """What an engine reports once every chunk is written."""

    rows_in: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    chunks: int = 0
    columns: list[str] = field(default_factory=list)
    drift: DriftSample = field(default_factory=DriftSample)


def _part(directory: Path, index: int) -> Path:
    return directory / f"part-{index:05d}.parquet"


def run_local(job: BatchJob, output: Path) -> Totals:
    """Score `job.input` chunk by chunk into `output/predictions/` and `output/rejects/`."""
    predictions, rejects = output / PREDICTIONS, output / REJECTS
    predictions.mkdir(parents=True)
    rejects.mkdir(parents=True)
    totals = Totals()
    rejected_parts = 0
    empty_rejects = empty_rejects_like(None)
    for chunk in read_chunks(job.input, job.chunk_rows):
        if totals.chunks == 0:
            totals.columns = [str(column) for column in chunk.columns]
            empty_rejects = empty_rejects_like(chunk)
        scored = score_chunk(job.pipeline, job.version, chunk)
        scored.predictions.to_parquet(_part(predictions, totals.chunks), index=False)
        if len(scored.rejects):
            scored.rejects.to_parquet(_part(rejects, rejected_parts), index=False)
            rejected_parts += 1
        totals.drift.add(scored.features, scored.scores)
        totals.rows_in += len(chunk)
        totals.rows_scored += len(scored.predictions)
        totals.rows_rejected += len(scored.rejects)
        totals.chunks += 1
    write_empty_tables(output, job.version, empty_rejects)
    return totals


def write_empty_tables(output: Path, version: str, empty_rejects: pd.DataFrame) -> None:
    """An empty part in a table no chunk wrote to: readers always find the columns."""
    if not any((output / PREDICTIONS).iterdir()):  # no rows at all
        empty = prediction_frame(empty_prediction(), pd.RangeIndex(0), None, version)
        empty.to_parquet(_part(output / PREDICTIONS, 0), index=False)
    if not any((output / REJECTS).iterdir()):
        empty_rejects.to_parquet(_part(output / REJECTS, 0), index=False)


def empty_rejects_like(chunk: pd.DataFrame | None) -> pd.DataFrame:
    """The rejects table of an input with `chunk`'s columns (None: no columns), without rows."""
    if chunk is None:
        return pd.DataFrame(
            {"row": pd.Series([], dtype="int64"), "reason": pd.Series([], dtype="string")}
        )
    return check_rows(chunk.iloc[:0]).rejects
