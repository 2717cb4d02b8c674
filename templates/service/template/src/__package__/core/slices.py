"""Slices: a feature cut into groups of rows, by its values or into bands (pure code).

`confs/quality.yaml` lists them; `core/quality.py` measures the model on every group.
"""

from itertools import pairwise

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Slice(BaseModel):
    """A feature cut into groups: by its exact `values`, or into bands at `edges`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    values: list[float | str] = Field(default_factory=list)
    edges: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> "Slice":
        """A slice is either categorical or banded, never both or neither."""
        if bool(self.values) == bool(self.edges):
            raise ValueError(f"slice {self.feature!r}: give exactly one of `values` or `edges`")
        if self.edges != sorted(self.edges):
            raise ValueError(f"slice {self.feature!r}: `edges` must be increasing")
        return self

    def groups(self, frame: pd.DataFrame) -> dict[str, "pd.Series[bool]"]:
        """Name → row mask for every group of this slice."""
        column = frame[self.feature]
        if self.values:
            return {f"{self.feature}={_text(value)}": column == value for value in self.values}
        bounds = [-np.inf, *self.edges, np.inf]
        return {
            _band(self.feature, low, high): (column >= low) & (column < high)
            for low, high in pairwise(bounds)
        }


def _text(value: float | str) -> str:
    """`sex=2`, `island=Dream`: a category as a reviewer reads it."""
    return value if isinstance(value, str) else f"{value:g}"


def _band(feature: str, low: float, high: float) -> str:
    """`age<40`, `40<=age<60`, `age>=60`: names a reviewer reads without the config."""
    if low == -np.inf:
        return f"{feature}<{high:g}"
    if high == np.inf:
        return f"{feature}>={low:g}"
    return f"{low:g}<={feature}<{high:g}"
