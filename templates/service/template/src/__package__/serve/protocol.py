"""Open Inference Protocol (KServe V2) REST payloads, and tensors ↔ feature columns.

Field names follow the protocol's `inference_rest.md`; `tests/serve/` checks our responses
against its official OpenAPI document. This model takes one tensor per feature, named after
the feature, of shape `[batch]` or `[batch, 1]`, so any protocol client can call it without
knowing the column order: a numeric feature is any numeric datatype (FP64 in metadata), a
text category a `BYTES` tensor whose elements are JSON strings, as the protocol's JSON
encoding gives them.

A missing value is a JSON `null` element, in the tensor of a feature the schema declares
nullable. The protocol has no null element (its JSON schema allows numbers, strings and
booleans); `null` is this service's extension, chosen because every JSON client can send
it and it cannot be mistaken for a value. Requests without nulls are plain protocol.
"""

import math
from typing import Any, Final, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from ..core.schemas import FEATURES
from .columns import TEXT, columns_to_frame, frame_to_records, to_column
from .errors import BadRequestError, InputError

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
    """One input tensor. `data` is flat or nested, in row-major order.

    It is absent only when the tensor travels as binary data after the JSON (`binary.py`).
    """

    name: str
    shape: list[NonNegativeInt]
    datatype: Datatype
    parameters: dict[str, Any] | None = None
    data: list[Any] | None = None


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
    data: list[int] | list[float] | list[str]


class InferenceResponse(Payload):
    """Response of a successful inference; `id` echoes the request's."""

    model_name: str
    model_version: str | None = None
    id: str
    parameters: dict[str, Any] | None = None
    outputs: list[ResponseOutput]


INPUT_TENSORS: Final = [
    MetadataTensor(name=name, datatype="BYTES" if name in TEXT else "FP64", shape=[-1])
    for name in FEATURES
]


def _elements(tensor: RequestInput) -> list[Any]:
    """The tensor's elements in row-major order, `[batch]` and `[batch, 1]` alike."""
    if tensor.data is None:
        raise InputError(f"input {tensor.name!r} has no data (nor parameters.binary_data_size)")
    if list not in map(type, tensor.data):  # flat, as most clients send it: a C-speed scan
        return tensor.data
    elements: list[Any] = []
    for item in tensor.data:
        elements.extend(item if isinstance(item, list) else [item])
    return elements


def _check_datatype(tensor: RequestInput) -> None:
    """A text category travels as BYTES, a number as any numeric datatype."""
    if tensor.name not in FEATURES:
        return  # the schema refuses it as an unexpected feature, which says more
    if tensor.name in TEXT and tensor.datatype != "BYTES":
        raise InputError(
            f"input {tensor.name!r}: datatype {tensor.datatype} is not BYTES; "
            "this feature is a text category"
        )
    if tensor.name not in TEXT and tensor.datatype not in NUMERIC_DATATYPES:
        raise InputError(f"input {tensor.name!r}: datatype {tensor.datatype} is not numeric")


def tensor_values(tensor: RequestInput) -> list[Any]:
    """One feature tensor's elements, once its shape is one this model takes and matches them."""
    if len(tensor.shape) not in (1, 2) or tensor.shape[1:] not in ([], [1]):
        raise BadRequestError(
            f"input {tensor.name!r}: shape {tensor.shape} is not supported; this model "
            f"takes one tensor per feature ({', '.join(FEATURES)}), each of shape "
            "[batch] or [batch, 1], not one [batch, features] tensor"
        )
    elements = _elements(tensor)
    if math.prod(tensor.shape) != len(elements):
        raise InputError(
            f"input {tensor.name!r}: shape {tensor.shape} does not match "
            f"its {len(elements)} data elements"
        )
    return elements


def check_batch(columns: dict[str, Any]) -> None:
    """Every column holds the same number of rows, and at least one."""
    batch_sizes = {len(values) for values in columns.values()}
    if len(batch_sizes) > 1:
        raise InputError(f"inputs have different batch sizes: {sorted(batch_sizes)}")
    if batch_sizes == {0}:
        raise InputError("inputs hold no rows")


def inputs_to_frame(inputs: list[RequestInput]) -> pd.DataFrame:
    """Turn one tensor per feature into a frame with one column per tensor.

    Only structure and element types are checked here (datatypes, shapes, batch sizes);
    which columns are required and which values are allowed is the feature schema's job,
    so it is written once.
    """
    columns: dict[str, Any] = {}
    for tensor in inputs:
        if tensor.name in columns:
            raise InputError(f"input {tensor.name!r} is given more than once")
        _check_datatype(tensor)
        columns[tensor.name] = to_column(tensor.name, tensor_values(tensor))
    check_batch(columns)
    return columns_to_frame(columns)


def frame_to_inputs(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as request tensors, the inverse of `inputs_to_frame` (for clients and tests)."""
    datatypes = {tensor.name: tensor.datatype for tensor in INPUT_TENSORS}
    records = frame_to_records(frame)
    return [
        {
            "name": str(name),
            "shape": [len(frame)],
            "datatype": datatypes.get(str(name), "FP64"),
            "data": [record[str(name)] for record in records],
        }
        for name in frame.columns
    ]
