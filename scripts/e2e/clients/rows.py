"""Rows for the client checks: the demo's diabetes rows unless a JSON row is given.

Shared by the stock-client scripts beside it. Columns follow the model's own metadata
(`GET /v2/models/<model>`), so a script works for any generated project given one valid
row as `{"feature": value, ...}`.
"""

import json
from typing import Any

import numpy as np

DIABETES_ROW = {
    "age": 48.0, "sex": 2.0, "bmi": 27.5, "bp": 94.0, "s1": 186.0,
    "s2": 111.0, "s3": 46.0, "s4": 4.0, "s5": 4.6, "s6": 92.0,
}  # fmt: skip
"""A row of the demo project (scikit-learn's diabetes data)."""


def rows(argv: list[str]) -> list[dict[str, Any]]:
    """Two rows: the given (or demo) row, and the same row with its first number nudged."""
    row = json.loads(argv[3]) if len(argv) > 3 else DIABETES_ROW
    numbers = [name for name, value in row.items() if isinstance(value, float | int)]
    second = dict(row)
    if numbers:
        second[numbers[0]] = float(row[numbers[0]]) * 1.01
    return [row, second]


def columns(
    metadata_inputs: list[dict[str, Any]], batch: list[dict[str, Any]], float_type: Any
) -> dict[str, tuple[str, np.ndarray]]:
    """Feature name → (protocol datatype, column array), in the metadata's input order."""
    found = {}
    for tensor in metadata_inputs:
        name = tensor["name"]
        values = [row[name] for row in batch]
        if tensor["datatype"] == "BYTES":
            found[name] = ("BYTES", np.array(values, dtype=object))
        else:
            array = np.array(values, dtype=float_type)
            found[name] = ("FP32" if float_type is np.float32 else "FP64", array)
    return found


class Report:
    """Print one line per client call, and fail at the end if any check failed."""

    def __init__(self, client: str) -> None:
        self.client = client
        self.failures = 0

    def check(self, call: str, ok: bool, result: Any) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {self.client} {call}: {result}", flush=True)
        self.failures += 0 if ok else 1

    def close(self) -> int:
        print(f"{self.client}: {self.failures} failed", flush=True)
        return 1 if self.failures else 0


def matrix(
    metadata_inputs: list[dict[str, Any]], batch: list[dict[str, Any]]
) -> tuple[str, np.ndarray]:
    """The rows as one [N, F] tensor, as many Triton models take: FP64, or BYTES with text."""
    values = [[row[tensor["name"]] for tensor in metadata_inputs] for row in batch]
    if all(tensor["datatype"] != "BYTES" for tensor in metadata_inputs):
        return "FP64", np.array(values, dtype=np.float64)
    return "BYTES", np.array([[str(value) for value in row] for row in values], dtype=object)


def agree(first: np.ndarray, second: np.ndarray, exact: bool) -> bool:
    """Same outputs: labels equal as text (clients give BYTES as bytes or str), numbers equal
    (or close, for FP32 inputs)."""
    if first.dtype == object or second.dtype == object:
        text = [
            [v.decode() if isinstance(v, bytes) else str(v) for v in a.ravel()]
            for a in (first, second)
        ]
        return text[0] == text[1]
    return bool(np.array_equal(first, second) if exact else np.allclose(first, second, rtol=1e-4))
