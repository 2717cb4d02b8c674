"""The protocol's binary tensor data extension: raw tensor bytes after the JSON header.

Triton's `tritonclient` sends tensors this way by default (`set_data_from_numpy`) and asks
for outputs this way unless told otherwise, and KServe's SDK offers it too. A request with
an `Inference-Header-Content-Length` header carries that many bytes of JSON, then each
input whose `parameters.binary_data_size` is set, in input order: little-endian, row-major,
no padding; a BYTES element is a 4-byte little-endian length then that many bytes. Outputs
go back the same way when the request asks (`binary_data` on an output, or
`binary_data_output` for all of them), with the response's own header length.
"""

import json
import struct
from typing import Any, Final

import numpy as np

from .errors import BadRequestError, InputError
from .protocol import InferenceRequest, InferenceResponse, ResponseOutput

HEADER_LENGTH: Final = "inference-header-content-length"
EXTENSION: Final = "binary_tensor_data"
"""The name servers list in their metadata's `extensions` when they support this."""

DTYPES: Final = {
    "BOOL": np.dtype("?"),
    "UINT8": np.dtype("<u1"),
    "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"),
    "INT8": np.dtype("<i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"),
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
}


def header_length(value: str | None, body_length: int) -> int | None:
    """The JSON header's length from the request header, or None for a plain JSON body."""
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) > body_length:
        raise BadRequestError(
            f"Inference-Header-Content-Length {value!r} is not a length within the "
            f"{body_length}-byte body"
        )
    return int(value)


def _bytes_elements(raw: bytes, name: str) -> list[str]:
    """Decode length-prefixed BYTES elements; text categories travel as UTF-8."""
    elements: list[str] = []
    offset = 0
    while offset < len(raw):
        if offset + 4 > len(raw):
            raise InputError(f"input {name!r}: binary BYTES data ends inside a length prefix")
        (size,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        if offset + size > len(raw):
            raise InputError(f"input {name!r}: binary BYTES element overruns the tensor's data")
        try:
            elements.append(raw[offset : offset + size].decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"input {name!r}: a BYTES element is not UTF-8 text") from None
        offset += size
    return elements


def decode_tensor(raw: bytes, datatype: str, name: str) -> list[Any]:
    """One tensor's binary data as the JSON elements it stands for (flat, row-major).

    gRPC's `raw_input_contents` use the same layout, so they are decoded here too.
    """
    if datatype == "BYTES":
        return _bytes_elements(raw, name)
    dtype = DTYPES[datatype]
    if len(raw) % dtype.itemsize:
        raise InputError(
            f"input {name!r}: {len(raw)} bytes of binary data is not a whole number of "
            f"{datatype} elements ({dtype.itemsize} bytes each)"
        )
    values: list[Any] = np.frombuffer(raw, dtype=dtype).tolist()
    if datatype.startswith("FP"):  # JSON's parser gives floats; keep the fast path
        return [float(value) for value in values]
    return values


def read_request(body: bytes, length: int | None) -> InferenceRequest:
    """Parse a request body, JSON alone or JSON header plus binary tensors."""
    if length is None:
        return InferenceRequest.model_validate_json(body)
    request = InferenceRequest.model_validate_json(body[:length])
    offset = length
    for tensor in request.inputs:
        size = (tensor.parameters or {}).get("binary_data_size")
        if size is None:
            continue
        if type(size) is not int or size < 0:
            raise InputError(f"input {tensor.name!r}: binary_data_size must be a whole number")
        if tensor.data is not None:
            raise InputError(f"input {tensor.name!r} has both data and binary_data_size")
        if offset + size > len(body):
            raise InputError(
                f"input {tensor.name!r}: binary_data_size {size} runs past the body's end"
            )
        tensor.data = decode_tensor(body[offset : offset + size], tensor.datatype, tensor.name)
        offset += size
    if offset != len(body):
        raise InputError(
            f"the body has {len(body) - offset} bytes after the JSON header and the binary "
            "tensors its binary_data_size parameters account for"
        )
    return request


def wants_binary(request: InferenceRequest) -> set[str] | None:
    """Names of outputs to send as binary: per output `binary_data`, else `binary_data_output`.

    None means every output (the request-wide flag with no outputs named).
    """
    everything = (request.parameters or {}).get("binary_data_output") is True
    if not request.outputs:
        return None if everything else set()
    wanted = set()
    for output in request.outputs:
        flag = (output.parameters or {}).get("binary_data", everything)
        if flag is True:
            wanted.add(output.name)
    return wanted


def encode_tensor(output: ResponseOutput) -> bytes:
    """One output tensor's elements in the extension's layout (gRPC's raw contents too)."""
    if output.datatype == "BYTES":
        parts = [str(value).encode("utf-8") for value in output.data]
        return b"".join(struct.pack("<I", len(part)) + part for part in parts)
    return np.asarray(output.data, dtype=DTYPES[output.datatype]).tobytes()


def write_response(response: InferenceResponse, binary: set[str] | None) -> tuple[bytes, int]:
    """The response as JSON header plus binary outputs; returns (body, header length)."""
    header = response.model_dump(exclude_none=True)
    chunks: list[bytes] = []
    for output, described in zip(response.outputs, header["outputs"], strict=True):
        if binary is not None and output.name not in binary:
            continue
        data = encode_tensor(output)
        chunks.append(data)
        del described["data"]
        described["parameters"] = {**described.get("parameters", {}), "binary_data_size": len(data)}
    head = json.dumps(header, separators=(",", ":")).encode()
    return head + b"".join(chunks), len(head)
