"""Rows against the one feature schema: every row is scored or rejected with its reasons.

pandera validates a chunk and reports every failing value with the row it came from; those
rows are set aside with one sentence per failure, and the rest validated again (a refused
value can make pandera report knock-on failures without a row, which a second pass
without the refused rows does not). A failure no row can be blamed for rejects the whole
chunk, with that reason. Nothing is dropped silently: accepted + rejected = the chunk.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandera.errors import SchemaErrors

from ..core.schemas import FEATURES, validate_features
from ..serve.validation import FAST_SCHEMA

MAX_PASSES = 5
"""Each pass rejects at least one row or the whole remainder; a bound, not a tuning knob."""


@dataclass(frozen=True)
class CheckedRows:
    """A chunk split in two: validated features, and the other rows with their reasons."""

    features: pd.DataFrame
    """Accepted rows in schema order and types, indexed by input row."""
    rejects: pd.DataFrame
    """Rejected rows: `row`, `reason`, then every input column as text (as it was read)."""


def describe(case: dict[str, Any]) -> str:
    """One failure as a sentence naming the feature, the value and the check."""
    column, check, value = case["column"], str(case["check"]), case["failure_case"]
    if check == "not_nullable":
        return f"{column}: missing, and this feature is required"
    if check.startswith(("coerce_dtype", "dtype")):
        kind = check.split("(", 1)[-1].rstrip(")").strip("'")
        return f"{column}: {value!r} is not of type {kind}"
    return f"{column}: {value!r} fails {check}"


def _failures(errors: SchemaErrors, rows: pd.Index) -> dict[int, list[str]]:
    """Reasons per row label; a failure without a row is blamed on every row."""
    by_row: dict[int, list[str]] = {}
    missing: dict[int, list[str]] = {}
    unplaced: list[str] = []
    seen: set[tuple[Any, Any]] = set()
    for case in errors.failure_cases.to_dict("records"):
        row = case["index"]
        if row is None or pd.isna(row):
            unplaced.append(describe(case))
            continue
        if (row, case["column"]) in seen:  # coerce_dtype and dtype report the same value
            continue
        seen.add((row, case["column"]))
        # A missing value (None in a Parquet text column) fails coercion only beside a refused
        # one; the next pass, without that row, judges it on its own.
        knock_on = str(case["check"]).startswith(("coerce_dtype", "dtype"))
        target = missing if knock_on and _is_missing(case["failure_case"]) else by_row
        target.setdefault(int(row), []).append(describe(case))
    if by_row or missing:
        return by_row or missing
    return {int(row): list(dict.fromkeys(unplaced)) for row in rows}


def _is_missing(value: Any) -> bool:
    """None, NaN or pd.NA: a value that is absent, not wrong."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _proven(candidates: pd.DataFrame) -> pd.DataFrame:
    """The rows the service's numpy fast path proves valid, coerced as pandera would.

    Empty when the schema has no fast path or the proof fails: pandera checks every row.
    """
    mask = None if FAST_SCHEMA is None else FAST_SCHEMA.passing(candidates)
    if FAST_SCHEMA is None or mask is None or not mask.any():
        return candidates.iloc[:0]
    try:  # `astype` is pandera's own coercion of a float column
        proven = FAST_SCHEMA.ordered(candidates.loc[mask].astype(np.float64))
    except (TypeError, ValueError):
        proven = None
    return candidates.iloc[:0] if proven is None else proven


def _validated(candidates: pd.DataFrame, reasons: dict[int, list[str]]) -> pd.DataFrame:
    """The rows of `candidates` pandera accepts; the others' reasons go into `reasons`."""
    for _ in range(MAX_PASSES):
        try:
            return validate_features(candidates)
        except SchemaErrors as errors:
            found = _failures(errors, candidates.index)
            reasons |= found
            candidates = candidates.drop(index=list(found))
    # Still failing after MAX_PASSES: refuse what is left.
    reasons |= {int(row): ["the row fails the schema"] for row in candidates.index}
    return candidates.iloc[:0]


def check_rows(chunk: pd.DataFrame) -> CheckedRows:
    """Validate a chunk's feature columns (others are ignored); see the module docstring.

    With a fast path (`serve/validation.py`) pandera only sees the rows it cannot prove
    valid, usually the few bad ones: it is what makes validating millions of rows cheap.
    """
    candidates = chunk[list(FEATURES)]
    proven = _proven(candidates)
    reasons: dict[int, list[str]] = {}
    rest = candidates.drop(index=proven.index)
    if len(proven) and not len(rest):
        features = proven
    else:
        checked = _validated(rest, reasons)
        features = pd.concat([proven, checked]).sort_index() if len(proven) else checked
    rejected = chunk.loc[sorted(reasons)].astype("string")
    rejected.insert(0, "reason", ["; ".join(reasons[row]) for row in rejected.index])
    rejected.insert(0, "row", rejected.index.to_numpy(dtype="int64"))
    return CheckedRows(features=features, rejects=rejected.reset_index(drop=True))
