"""The Ray engine's blocks: what its read tasks and scoring actors run, without Ray.

A read task reads one segment of the input (`segments`), its chunks carrying their rows'
positions; a scoring actor (`ScoreBlocks`) turns each block into one row of counts and
Parquet parts, which the driver writes (`write_part`) and merges. Nothing here imports
Ray, so `make check` runs all of it; `ray_engine` only hands these functions to Ray Data.
"""

import io
from collections.abc import Generator
from pathlib import Path
from typing import Any, Final

import pandas as pd

from .chunk import score_chunk
from .drift import DriftSample
from .source import input_format, parquet_row_groups, read_chunks

ROW: Final = "__ds_service_row"
"""The column a block carries its rows' positions in (Ray Data blocks have no index)."""

Segment = tuple[int, list[int] | None]
"""Where a read task starts (the position of its first row) and its Parquet row groups."""


def segments(location: str, chunk_rows: int) -> list[Segment]:
    """Read tasks for an input: runs of whole row groups of about `chunk_rows` rows, or one."""
    if input_format(location) != "parquet":
        return [(0, None)]
    planned: list[Segment] = []
    start, groups, rows = 0, [], 0
    for index, size in enumerate(parquet_row_groups(location)):
        groups.append(index)
        rows += size
        if rows >= chunk_rows:
            planned.append((start, groups))
            start, groups, rows = start + rows, [], 0
    if groups:
        planned.append((start, groups))
    return planned or [(0, None)]


def read_segment(location: str, chunk_rows: int, segment: Segment) -> Generator[pd.DataFrame]:
    """One read task's blocks: its chunks, each row's position carried in `ROW`."""
    start, groups = segment
    for chunk in read_chunks(location, chunk_rows, groups, start):
        yield chunk.assign(**{ROW: chunk.index}).reset_index(drop=True)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def score_block(block: pd.DataFrame, pipeline: Any, version: str) -> pd.DataFrame:
    """Score one block on a worker; one row back: counts, and the parts as Parquet bytes."""
    chunk = block.drop(columns=ROW)
    chunk.index = pd.Index(block[ROW].to_numpy(dtype="int64"))
    scored = score_chunk(pipeline, version, chunk)
    sample = DriftSample()
    sample.add(scored.features, scored.scores)
    return pd.DataFrame(
        {
            "first_row": [int(chunk.index.min()) if len(chunk) else 0],
            "rows_in": [len(chunk)],
            "rows_scored": [len(scored.predictions)],
            "rows_rejected": [len(scored.rejects)],
            "predictions": [_parquet_bytes(scored.predictions)],
            "rejects": [_parquet_bytes(scored.rejects) if len(scored.rejects) else b""],
            "sample": [_parquet_bytes(sample.rows)],
        }
    )


class ScoreBlocks:
    """A scoring actor: holds the pipeline, scores the blocks Ray Data sends it."""

    def __init__(self, pipeline: Any, version: str) -> None:
        self.pipeline, self.version = pipeline, version

    def __call__(self, block: pd.DataFrame) -> pd.DataFrame:
        """Ray Data's call: one block in, its one-row result out."""
        return score_block(block, self.pipeline, self.version)


def write_part(directory: Path, first_row: int, data: bytes) -> None:
    """Write one block's part of a table, if it has rows."""
    if data:  # parts are named by their first row: sorted names are input order
        (directory / f"part-{first_row:012d}.parquet").write_bytes(data)
