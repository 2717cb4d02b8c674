"""Open Inference Protocol (KServe V2) REST payloads, and tensors ↔ feature columns.

Field names follow the protocol's `inference_rest.md`; `tests/serve/` checks our responses
against its official OpenAPI document. This model takes one tensor per feature, named after
the feature, of shape `[batch]` or `[batch, 1]`, so any protocol client can call it without
knowing the column order.
"""

import math
from typing import Any, Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from ..core.schemas import FEATURES
from .errors import InputError

Datatype = Literal[
    "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
    "FP16", "FP32", "FP64", "BYTES",
]  # fmt: skip
NUMERIC_DATATYPES: Final = frozenset(
    {"UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"}
    | {"FP16", "FP32", "FP64"}
)
PLATFORM: Final = "sklearn_joblib"
"""`<framework>_<format>`, the protocol's naming for platforms."""


class Payload(BaseModel):
    """Base of every payload: `model_*` field names are the protocol's, not pydantic's."""

    model_config = ConfigDict(protected_namespaces=())


class MetadataTensor(Payload):
    """Name, element type and shape of one input or output; -1 is a variable dimension."""

    name: str
    datatype: Datatype
    shape: list[int]


class ServerMetadata(Payload):
    """Response of `GET /v2`."""

    name: str
    version: str
    extensions: list[str]


class ModelMetadata(Payload):
    """Response of `GET /v2/models/{model_name}`."""

    name: str
    versions: list[str] | None = None
    platform: str
    inputs: list[MetadataTensor]
    outputs: list[MetadataTensor]


class RequestInput(Payload):
    """One input tensor. `data` is flat or nested, in row-major order."""

    name: str
    shape: list[NonNegativeInt]
    datatype: Datatype
    parameters: dict[str, Any] | None = None
    data: list[Any]


class RequestOutput(Payload):
    """An output the client asks for; all outputs are returned when none are named."""

    name: str
    parameters: dict[str, Any] | None = None


class InferenceRequest(Payload):
    """Body of `POST /v2/models/{model_name}/infer`."""

    id: str | None = None
    parameters: dict[str, Any] | None = None
    inputs: list[RequestInput] = Field(min_length=1)
    outputs: list[RequestOutput] | None = None


class ResponseOutput(Payload):
    """One output tensor, flattened in row-major order."""

    name: str
    shape: list[int]
    datatype: Datatype
    parameters: dict[str, Any] | None = None
    data: list[int] | list[float]


class InferenceResponse(Payload):
    """Response of a successful inference; `id` echoes the request's."""

    model_name: str
    model_version: str | None = None
    id: str
    parameters: dict[str, Any] | None = None
    outputs: list[ResponseOutput]


INPUT_TENSORS: Final = [MetadataTensor(name=name, datatype="FP64", shape=[-1]) for name in FEATURES]


def _flatten(tensor: RequestInput) -> list[float]:
    """Return the tensor's elements as floats; reject anything but numbers (bools included)."""
    values: list[float] = []
    for item in tensor.data:
        for element in item if isinstance(item, list) else [item]:
            if isinstance(element, bool) or not isinstance(element, int | float):
                raise InputError(f"input {tensor.name!r}: element {element!r} is not a number")
            try:
                values.append(float(element))
            except OverflowError:  # JSON integers are unbounded; a float is not
                raise InputError(
                    f"input {tensor.name!r}: element {element} is too large for FP64"
                ) from None
    return values


def inputs_to_frame(inputs: list[RequestInput]) -> pd.DataFrame:
    """Turn one tensor per feature into a frame with one column per tensor.

    Only structure is checked here (types, shapes, batch sizes); which columns are required
    and which values are allowed is the feature schema's job, so it is written once.
    """
    columns: dict[str, list[float]] = {}
    for tensor in inputs:
        if tensor.name in columns:
            raise InputError(f"input {tensor.name!r} is given more than once")
        if tensor.datatype not in NUMERIC_DATATYPES:
            raise InputError(f"input {tensor.name!r}: datatype {tensor.datatype} is not numeric")
        if len(tensor.shape) not in (1, 2) or tensor.shape[1:] not in ([], [1]):
            raise InputError(f"input {tensor.name!r}: shape must be [batch] or [batch, 1]")
        values = _flatten(tensor)
        if math.prod(tensor.shape) != len(values):
            raise InputError(
                f"input {tensor.name!r}: shape {tensor.shape} does not match "
                f"its {len(values)} data elements"
            )
        columns[tensor.name] = values
    batch_sizes = {len(values) for values in columns.values()}
    if len(batch_sizes) > 1:
        raise InputError(f"inputs have different batch sizes: {sorted(batch_sizes)}")
    if batch_sizes == {0}:
        raise InputError("inputs hold no rows")
    return pd.DataFrame(columns)
