"""Batch input: a CSV or Parquet file, a local path or any fsspec URL, read in bounded chunks.

Only one chunk of rows is in memory at a time, whatever the size of the file: pandas reads
CSV `chunk_rows` lines at a time, pyarrow reads Parquet `chunk_rows` rows at a time (not a
whole row group). Each chunk is indexed by its rows' positions in the file (0-based), so a
reject names the row it came from and output is comparable across chunk sizes.
"""

import importlib
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

import pandas as pd

from ..core.schemas import FEATURES, Features
from ..io.data import ID_COLUMN

TEXT_FEATURES: Final[tuple[str, ...]] = tuple(
    str(name)
    for name, column in Features.to_schema().columns.items()
    if not pd.api.types.is_numeric_dtype(column.dtype.type)
)
"""Text categories stay text in a CSV (a category "1" is not the number 1)."""
ID_COLUMNS: Final[tuple[str, ...]] = tuple(name for name in [ID_COLUMN] if name is not None)
"""The id column, when the project has one: required, and read as text (an id is a label)."""
REQUIRED: Final = ID_COLUMNS + FEATURES
"""Columns an input must have: every feature, and the id that joins predictions to labels."""
TEXT_COLUMNS: Final = ID_COLUMNS + TEXT_FEATURES


class BatchInputError(Exception):
    """The input cannot be scored as given: missing, unreadable, or without a feature."""


def input_format(location: str) -> str:
    """`csv` or `parquet`, from the file name (`.csv`, `.csv.gz`, `.parquet`, `.pq`)."""
    name = PurePosixPath(location.split("?", 1)[0]).name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    raise BatchInputError(f"{location}: unsupported format; use .csv, .csv.gz or .parquet")


@contextmanager
def open_input(location: str) -> Iterator[IO[bytes]]:
    """A binary handle on a local file or on any URL fsspec understands (s3://, gs://, ...)."""
    if "://" not in location:
        path = Path(location)
        if not path.is_file():
            raise BatchInputError(f"input not found: {path}")
        with path.open("rb") as handle:
            yield handle
        return
    try:
        # Imported by name: only URLs need it (add fsspec and e.g. s3fs to pyproject.toml).
        fsspec: Any = importlib.import_module("fsspec")
    except ModuleNotFoundError:
        raise BatchInputError(
            f"{location} is a URL: add fsspec and its protocol's package (e.g. s3fs) "
            "to pyproject.toml"
        ) from None
    filesystem, path = fsspec.core.url_to_fs(location)
    if not filesystem.isfile(path):
        raise BatchInputError(f"input not found: {location}")
    with filesystem.open(path, "rb") as handle:
        yield handle


def parquet_row_groups(location: str) -> list[int]:
    """The rows of each row group of a Parquet input, from its footer (no rows are read)."""
    # Imported by name: pyarrow ships no type stubs.
    parquet: Any = importlib.import_module("pyarrow.parquet")
    with open_input(location) as handle:
        metadata = parquet.ParquetFile(handle).metadata
        return [metadata.row_group(index).num_rows for index in range(metadata.num_row_groups)]


def _raw_chunks(
    handle: IO[bytes], kind: str, chunk_rows: int, gzip: bool, row_groups: Sequence[int] | None
) -> Iterator[pd.DataFrame]:
    if kind == "parquet":
        parquet: Any = importlib.import_module("pyarrow.parquet")
        batches = parquet.ParquetFile(handle).iter_batches(
            batch_size=chunk_rows, row_groups=None if row_groups is None else list(row_groups)
        )
        for batch in batches:
            yield batch.to_pandas()
        return
    yield from pd.read_csv(
        handle,
        chunksize=chunk_rows,
        dtype=dict.fromkeys(TEXT_COLUMNS, str),
        compression="gzip" if gzip else None,
        low_memory=False,
    )


def read_chunks(
    location: str, chunk_rows: int, row_groups: Sequence[int] | None = None, start: int = 0
) -> Generator[pd.DataFrame]:
    """The input's rows, `chunk_rows` at a time, indexed by position in the file.

    `row_groups` reads only those row groups of a Parquet input, whose first row is at
    position `start` (an engine reading a file in parallel gives each reader its own groups).
    Raises `BatchInputError` before the first chunk when a feature (or the id) is missing: that
    is a problem of the file, not of its rows, and rejecting every row would hide it.
    """
    kind = input_format(location)
    first = True
    with open_input(location) as handle:
        try:
            gzip = location.lower().endswith(".gz")
            for chunk in _raw_chunks(handle, kind, chunk_rows, gzip, row_groups):
                if first:
                    first = False
                    missing = [name for name in REQUIRED if name not in chunk.columns]
                    if missing:
                        raise BatchInputError(f"{location} has no column {missing}")
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield chunk
        except pd.errors.EmptyDataError:
            raise BatchInputError(f"{location} is empty: not even a header row") from None
