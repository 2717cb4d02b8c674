"""Request rows against the feature schema: a numpy fast path that only ever says "valid".

pandera validates even a 1-row frame in milliseconds — it coerces every column and runs
every check through a generic backend — which was most of a single-row request's time.
`FastSchema` compiles the same schema's column checks once, at import, into numpy
comparisons over one float array. It can only accept: a frame it cannot prove valid
(a failing value, a missing or extra column, a non-float column, a NaN) goes to pandera,
so every error, message and metric is exactly what pandera reports. A schema using
anything it does not understand (another check, a nullable or optional column, a
dataframe-level check, a parser, ...) disables it, and pandera validates every request.
`tests/serve/test_validation.py` checks that both paths agree on valid and invalid rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa

from ..core.schemas import FEATURES, SCHEMA, validate_features

Array = npt.NDArray[np.float64]
Rule = Callable[[Array], npt.NDArray[np.bool_]]
"""Column values → which of them pass one check."""


def _compile_check(name: str, stats: Mapping[str, Any]) -> Rule | None:
    """The numpy form of a built-in pandera check, or None for any other check."""
    if name == "greater_than_or_equal_to":
        low = float(stats["min_value"])
        return lambda values: values >= low
    if name == "greater_than":
        low = float(stats["min_value"])
        return lambda values: values > low
    if name == "less_than_or_equal_to":
        high = float(stats["max_value"])
        return lambda values: values <= high
    if name == "less_than":
        high = float(stats["max_value"])
        return lambda values: values < high
    if name == "in_range":
        low, high = float(stats["min_value"]), float(stats["max_value"])
        above = np.greater_equal if stats.get("include_min", True) else np.greater
        below = np.less_equal if stats.get("include_max", True) else np.less
        return lambda values: above(values, low) & below(values, high)
    if name == "isin":
        allowed = np.asarray(list(stats["allowed_values"]), dtype=np.float64)
        return lambda values: np.isin(values, allowed)
    return None


def _schema_is_plain(schema: pa.DataFrameSchema) -> bool:
    """Only column checks on required, non-null float columns, no extra columns allowed."""
    return (
        schema.strict is True
        and not schema.ordered
        and not schema.checks
        and not getattr(schema, "parsers", None)
        and schema.index is None
        and not schema.unique
        and not schema.add_missing_columns
        and not schema.drop_invalid_rows
        and not schema.unique_column_names
    )


def _column_rules(column: pa.Column) -> list[Rule] | None:
    plain = (
        str(column.dtype) == "float64"
        and not column.nullable
        and column.required
        and not column.regex
        and not column.unique
        and not column.drop_invalid_rows
        and getattr(column, "default", None) is None
        and not getattr(column, "parsers", None)
    )
    if not plain:
        return None
    rules = []
    for check in column.checks:
        rule = None if check.raise_warning else _compile_check(check.name, check.statistics)
        if rule is None:
            return None
        rules.append(rule)
    return rules


@dataclass(frozen=True)
class FastSchema:
    """The schema's rules per feature, in `FEATURES` order."""

    rules: tuple[tuple[Rule, ...], ...]

    @classmethod
    def compile(cls, schema: pa.DataFrameSchema) -> "FastSchema | None":
        """Compile `schema`, or return None when it uses anything the fast path lacks."""
        if not _schema_is_plain(schema) or tuple(schema.columns) != FEATURES:
            return None
        rules = []
        for name in FEATURES:
            column_rules = _column_rules(schema.columns[name])
            if column_rules is None:
                return None
            rules.append(tuple(column_rules))
        return cls(rules=tuple(rules))

    def accepts(self, frame: pd.DataFrame) -> bool:
        """True only if pandera would accept `frame` unchanged but for the column order."""
        return self.ordered(frame) is not None

    def passing(self, frame: pd.DataFrame) -> npt.NDArray[np.bool_] | None:
        """Per row, whether every value is a number passing every rule (NaN never does).

        None when `frame` lacks a feature. Only says which rows are worth the fast path
        (a batch's clean rows); `ordered` still decides whether they are valid.
        """
        if set(FEATURES) - set(frame.columns):
            return None
        numbers = frame[list(FEATURES)].apply(pd.to_numeric, errors="coerce")
        values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        mask: npt.NDArray[np.bool_] = ~np.isnan(values).any(axis=1)
        for index, column_rules in enumerate(self.rules):
            for rule in column_rules:
                mask &= rule(values[:, index])
        return mask

    def ordered(self, frame: pd.DataFrame) -> pd.DataFrame | None:
        """`frame` in schema order if it passes every rule, else None (pandera decides)."""
        if len(frame.columns) != len(FEATURES) or set(frame.columns) != set(FEATURES):
            return None
        if not all(dtype == np.float64 for dtype in frame.dtypes):
            return None
        # Reordering copies the frame; clients usually send the schema's order already.
        ordered = frame if tuple(frame.columns) == FEATURES else frame[list(FEATURES)]
        values = ordered.to_numpy(dtype=np.float64)
        if np.isnan(values).any():
            return None
        for index, column_rules in enumerate(self.rules):
            for rule in column_rules:
                if not rule(values[:, index]).all():
                    return None
        return ordered


FAST_SCHEMA: Final = FastSchema.compile(SCHEMA)
"""None when the feature schema uses something only pandera can check."""


def validate_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Validated rows in schema order; raises pandera's `SchemaErrors` exactly as it would."""
    ordered = None if FAST_SCHEMA is None else FAST_SCHEMA.ordered(frame)
    return validate_features(frame) if ordered is None else ordered
