"""Profile a tabular data file once: what `ds-service new --data` renders the project from.

Run as a script with no project installed (the generator does so before the project
exists): `python profile.py DATA --target COL [--task auto] [--id COL] [--time COL]
[--protected A,B] [--exclude A,B] --out profile.json`. It reads CSV or Parquet in bounded
chunks, so a file larger than memory is profiled with memory bounded by the chunk size
(plus, with --id, 8 bytes a row to find repeated ids): exact counts, ranges, null counts
and category counts come from every row; medians, quantiles and "typical" rows from a
fixed-size uniform sample of rows.

Bad data is refused with one clear sentence and exit code 2, before anything is written:
a missing or constant target, one class, an all-null column, an id with duplicates.
"""

import argparse
import hashlib
import importlib
import json
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

CHUNK_ROWS: Final = 50_000
SAMPLE_ROWS: Final = 20_000
"""Rows kept (uniformly at random, seeded) for medians, quantiles and typical rows."""
MAX_CATEGORIES: Final = 50
"""A text column with more distinct values is free text or an identifier, not a category."""
MAX_CLASSES: Final = 20
"""`--task auto`: a numeric target with at most this many distinct integers is a class label."""
EXAMPLES: Final = 5


class DataError(Exception):
    """The data cannot make a model as asked; the message says why and what to do."""


def _chunks(path: Path, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The file's rows, CHUNK_ROWS at a time: memory stays bounded whatever the file's size."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        # Imported by name: only Parquet input needs pyarrow, and it ships no type stubs.
        parquet: Any = importlib.import_module("pyarrow.parquet")
        batches = parquet.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS, columns=columns)
        for batch in batches:
            yield batch.to_pandas()
    elif suffix in {".csv", ".txt"} or suffix.endswith(".gz"):
        yield from pd.read_csv(path, chunksize=CHUNK_ROWS, low_memory=False, usecols=columns)
    else:
        raise DataError(f"{path.name}: unsupported format {suffix!r}; use .csv or .parquet")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, missing values as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.bool_ | bool):
        return str(bool(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(float(value)) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class Column:
    """Exact running statistics of one column over every chunk."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.nulls = 0
        self.numeric = True
        self.integer = True
        self.low = math.inf
        self.high = -math.inf
        self.counts: Counter[str] = Counter()
        self.many_values = False

    def update(self, series: pd.Series) -> None:
        """Add one chunk's values of this column."""
        self.rows += len(series)
        present = series.dropna()
        self.nulls += len(series) - len(present)
        if self.numeric and not (
            pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present)
        ):
            self.numeric = False
        if self.numeric and len(present):
            values = present.to_numpy(dtype=np.float64)
            self.low = min(self.low, float(values.min()))
            self.high = max(self.high, float(values.max()))
            self.integer = self.integer and bool(np.all(values == np.round(values)))
        if not self.many_values:
            # value_counts first: counting a chunk's distinct values, not each of its rows.
            for value, count in present.value_counts(sort=False).items():
                self.counts[str(value)] += int(count)
            if len(self.counts) > 10 * MAX_CATEGORIES:
                self.many_values = True
                self.counts.clear()


Hashes = np.ndarray[Any, np.dtype[np.uint64]]
ID_BUCKETS: Final = 16
"""Hashes are kept in buckets by their top bits, so finding repeats copies one bucket at a time."""
_BUCKET_EDGES: Final = np.arange(1, ID_BUCKETS, dtype=np.uint64) << np.uint64(60)


def _id_hashes(ids: pd.Series, as_text: bool) -> Hashes:
    """64-bit hashes of the ids: integers as they are (cheap), anything else as its text."""
    if as_text or not pd.api.types.is_integer_dtype(ids):
        ids = ids.astype(str)
    return np.asarray(pd.util.hash_pandas_object(ids, index=False), dtype=np.uint64)


class Ids:
    """Finds a repeated id over any number of rows in 8 bytes a row: a hash per row."""

    def __init__(self, name: str | None) -> None:
        self.name = name
        self.as_text = False
        self.kinds: set[bool] = set()
        self.buckets: list[list[Hashes]] = [[] for _ in range(ID_BUCKETS)]

    def update(self, chunk: pd.DataFrame) -> None:
        """Add one chunk's ids (rows with no id are counted as nulls by their Column)."""
        if self.name in chunk.columns:
            ids = chunk[self.name].dropna()
            self.kinds.add(pd.api.types.is_integer_dtype(ids))
            self._add(_id_hashes(ids, self.as_text))

    def _add(self, hashes: Hashes) -> None:
        hashes = np.sort(hashes)
        for bucket, part in zip(
            self.buckets, np.split(hashes, np.searchsorted(hashes, _BUCKET_EDGES)), strict=True
        ):
            bucket.append(part)

    def _suspects(self) -> Hashes:
        """Hashes seen more than once: equal ids, or (rarely) different ids with equal hashes."""
        found = []
        for bucket in self.buckets:
            hashes = np.sort(np.concatenate(bucket))
            found.append(np.unique(hashes[1:][hashes[1:] == hashes[:-1]]))
        return np.concatenate(found)

    def repeated(self, path: Path) -> str | None:
        """An id that occurs twice, or None.

        Equal hashes are only suspects: the file is read again, for the id column alone and only
        when some hashes repeat, to compare the ids themselves (and name one in the error).
        """
        if self.name is None:
            return None
        if len(self.kinds) > 1:
            # `7` read as a number in one chunk and as text in another: hash them all as text.
            self.as_text, self.buckets = True, [[] for _ in range(ID_BUCKETS)]
            for chunk in _chunks(path, columns=[self.name]):
                self._add(_id_hashes(chunk[self.name].dropna(), as_text=True))
        suspects = self._suspects()
        if not len(suspects):
            return None
        seen: set[str] = set()
        for chunk in _chunks(path, columns=[self.name]):
            ids = chunk[self.name].dropna()
            for value in ids[np.isin(_id_hashes(ids, self.as_text), suspects)].astype(str):
                if value in seen:
                    return value
                seen.add(value)
        return None


def _read(path: Path, seed: int, ids: Ids) -> tuple[dict[str, Column], pd.DataFrame, int]:
    """One pass: per-column statistics, a uniform row sample (reservoir), the row count."""
    rng = np.random.default_rng(seed)
    columns: dict[str, Column] = {}
    sample = pd.DataFrame()
    seen = 0
    for chunk in _chunks(path):
        for name in chunk.columns:
            columns.setdefault(str(name), Column(str(name))).update(chunk[name])
        ids.update(chunk)
        # Reservoir sampling by random keys: keep the SAMPLE_ROWS rows with the smallest keys.
        keyed = chunk.assign(__key=rng.random(len(chunk)))
        sample = pd.concat([sample, keyed]).nsmallest(SAMPLE_ROWS, "__key")
        seen += len(chunk)
    if seen == 0:
        raise DataError(f"{path.name} holds no rows")
    return columns, sample.drop(columns="__key").sort_index(), seen


def _task(column: Column, asked: str) -> str:
    classes = len(column.counts)
    looks_like_labels = not column.numeric or (
        column.integer and not column.many_values and classes <= MAX_CLASSES
    )
    if asked == "auto":
        if looks_like_labels:
            return "binary" if classes == 2 else "multiclass"
        return "regression"
    if asked in {"binary", "multiclass"}:
        if column.numeric and not column.integer:
            raise DataError(
                f"target {column.name!r} holds fractional numbers, not class labels: "
                "use --task regression"
            )
        if column.many_values or classes > MAX_CLASSES * 10:
            raise DataError(f"target {column.name!r} has too many distinct values for {asked}")
        if asked == "binary" and classes != 2:
            raise DataError(
                f"--task binary needs exactly 2 classes; target {column.name!r} has {classes}"
            )
        if asked == "multiclass" and classes < 3:
            raise DataError(
                f"--task multiclass needs 3 or more classes; target {column.name!r} has {classes}"
            )
    if asked == "regression" and not column.numeric:
        raise DataError(f"--task regression needs a numeric target; {column.name!r} is text")
    return asked


def _label(value: Any, numeric: bool) -> Any:
    return int(float(value)) if numeric else str(value)


def _target(column: Column, asked: str) -> dict[str, Any]:
    if column.nulls == column.rows:
        raise DataError(f"target {column.name!r} is empty (every value is missing)")
    if not column.many_values and len(column.counts) < 2:
        raise DataError(f"target {column.name!r} is constant: there is nothing to predict")
    task = _task(column, asked)
    described: dict[str, Any] = {"name": column.name, "task": task, "nulls": column.nulls}
    if task == "regression":
        described |= {"min": column.low, "max": column.high}
    else:
        numeric = column.numeric and column.integer
        described["classes"] = [
            {"value": _label(value, numeric), "count": count}
            for value, count in sorted(column.counts.items(), key=lambda item: str(item[0]))
        ]
        described["labelType"] = "integer" if numeric else "string"
        if numeric:
            described["classes"].sort(key=lambda item: item["value"])
    return described


def _feature(column: Column, sample: pd.Series) -> dict[str, Any]:
    if column.nulls == column.rows:
        raise DataError(
            f"column {column.name!r} is empty (every value is missing): drop it with --exclude"
        )
    described: dict[str, Any] = {
        "name": column.name,
        "nulls": column.nulls,
        "nullRate": column.nulls / column.rows,
    }
    if column.numeric:
        present = sample.dropna().to_numpy(dtype=np.float64)
        quantiles = np.quantile(present, [0.1, 0.25, 0.5, 0.75, 0.9]) if len(present) else []
        return described | {
            "kind": "numeric",
            "integer": column.integer,
            "min": column.low,
            "max": column.high,
            "quantiles": [float(value) for value in quantiles],
        }
    if column.many_values or len(column.counts) > MAX_CATEGORIES:
        raise DataError(
            f"column {column.name!r} is text with more than {MAX_CATEGORIES} distinct values "
            "(free text or an identifier): pass it as --id, or drop it with --exclude"
        )
    categories = sorted(column.counts.items(), key=lambda item: (-item[1], item[0]))
    return described | {
        "kind": "categorical",
        "categories": [{"value": value, "count": count} for value, count in categories],
    }


def _typical(sample: pd.DataFrame, features: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each numeric feature and the mode of each categorical one."""
    row: dict[str, Any] = {}
    for feature in features:
        values = sample[feature["name"]].dropna()
        if feature["kind"] == "numeric":
            median = float(values.median()) if len(values) else feature["min"]
            row[feature["name"]] = round(median) if feature["integer"] else median
        else:
            counts = values.astype(str).value_counts()
            row[feature["name"]] = (
                str(counts.index[0]) if len(counts) else feature["categories"][0]["value"]
            )
    return row


def _records(frame: pd.DataFrame, features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kinds = {feature["name"]: feature["kind"] for feature in features}
    rows = []
    for _, row in frame.iterrows():
        record = {}
        for name, kind in kinds.items():
            value = _plain(row[name])
            record[name] = str(value) if kind == "categorical" and value is not None else value
        rows.append(record)
    return rows


def profile(path: Path, target: str, options: argparse.Namespace) -> dict[str, Any]:
    """Profile `path` for predicting `target`; raise `DataError` when it cannot work."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    ids = Ids(options.id)
    try:
        columns, sample, rows = _read(path, seed=0, ids=ids)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name} cannot be read as a table: {error}") from None
    names = set(columns)
    roles = [target, options.id, options.time, *options.protected, *options.exclude]
    missing = [name for name in roles if name and name not in names]
    if missing:
        raise DataError(f"no column {missing[0]!r} in {path.name}; it has {sorted(names)}")
    if options.id and columns[options.id].nulls:
        raise DataError(f"id column {options.id!r} has missing values")
    repeated = ids.repeated(path)
    if repeated is not None:
        raise DataError(f"id column {options.id!r} has duplicate values, e.g. {repeated!r}")
    described_target = _target(columns[target], options.task)
    not_features = {target, options.id, options.time, *options.exclude}
    features = [
        _feature(column, sample[name])
        for name, column in columns.items()
        if name not in not_features
    ]
    if not features:
        raise DataError("no feature columns are left once the target, id and time are set")
    for name in options.protected:
        if name in not_features:
            raise DataError(f"protected column {name!r} must be a feature, not excluded")
    labelled = sample.dropna(subset=[target])
    typical: list[dict[str, Any]] = []
    if described_target["task"] != "regression":
        for item in described_target["classes"]:
            group = labelled[labelled[target].astype(str) == str(item["value"])]
            if len(group):
                typical.append({"label": item["value"], "row": _typical(group, features)})
    else:
        typical.append({"label": None, "row": _typical(labelled, features)})
    with_null = labelled[labelled[[f["name"] for f in features]].isna().any(axis=1)]
    examples = pd.concat([labelled.head(EXAMPLES - 1), with_null.head(1)])
    return {
        "version": 1,
        "source": {
            "file": path.name,
            "format": "parquet" if path.suffix.lower() == ".parquet" else "csv",
            "sha256": _sha256(path),
            "bytes": path.stat().st_size,
        },
        "rows": rows,
        "target": described_target,
        "id": options.id,
        "time": options.time,
        "protected": list(options.protected),
        "excluded": list(options.exclude),
        "features": features,
        "examples": _records(examples, features),
        "typical": typical,
    }


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("data", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument(
        "--task", default="auto", choices=["auto", "binary", "multiclass", "regression"]
    )
    parser.add_argument("--id", default=None)
    parser.add_argument("--time", default=None)
    parser.add_argument("--protected", type=_names, default=[])
    parser.add_argument("--exclude", type=_names, default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        described = profile(args.data, args.target, args)
    except DataError as error:
        # Also written to --out, so a caller can tell the data's problem from a crash.
        print(f"error: {error}", file=sys.stderr)
        args.out.write_text(json.dumps({"error": str(error)}) + "\n")
        return 2
    args.out.write_text(json.dumps(described, indent=2, default=_plain) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
