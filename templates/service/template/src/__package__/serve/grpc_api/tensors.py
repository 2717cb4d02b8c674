"""gRPC messages ↔ the protocol payloads the REST routes use (`protocol.py`).

A gRPC request becomes the same `InferenceRequest` a JSON body becomes, so one function
scores both (`inference.py`). A tensor's elements come from the `contents` field its
datatype uses, or from `raw_input_contents` (what `tritonclient` sends): the binary tensor
data extension's layout, decoded by the same code as REST's binary bodies. Outputs go back
raw when the request came raw, as Triton answers, and in `contents` otherwise.
"""

from collections.abc import Sequence
from typing import Any, Final

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ..binary import DTYPES, decode_tensor, encode_tensor
from ..errors import InputError, describe_validation_error
from ..protocol import InferenceRequest, InferenceResponse, MetadataTensor, ModelMetadata
from . import open_inference_grpc_pb2 as pb

CONTENTS: Final = {
    "BOOL": "bool_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}
"""The `InferTensorContents` field each datatype travels in (FP16 travels raw only)."""


def _text(elements: Sequence[bytes], name: str) -> list[str]:
    try:
        return [element.decode("utf-8") for element in elements]
    except UnicodeDecodeError:
        raise InputError(f"input {name!r}: a BYTES element is not UTF-8 text") from None


def _elements(tensor: pb.ModelInferRequest.InferInputTensor) -> list[Any]:
    field = CONTENTS.get(tensor.datatype)
    if field is None:
        raise InputError(
            f"input {tensor.name!r}: datatype {tensor.datatype!r} has no contents field; "
            "send it in raw_input_contents"
        )
    values = getattr(tensor.contents, field)
    if tensor.datatype == "BYTES":
        return _text(values, tensor.name)
    return list(values)  # floats and ints already: a loop converting each cost ~0.1 ms per 1000


def _raw(request: pb.ModelInferRequest) -> list[list[Any]]:
    raw = request.raw_input_contents
    if len(raw) != len(request.inputs):
        raise InputError(
            f"{len(raw)} raw_input_contents for {len(request.inputs)} inputs; "
            "when raw contents are used, every input has one, in input order"
        )
    decoded = []
    for tensor, data in zip(request.inputs, raw, strict=True):
        if tensor.HasField("contents"):
            raise InputError(f"input {tensor.name!r} has both contents and raw_input_contents")
        if tensor.datatype != "BYTES" and tensor.datatype not in DTYPES:
            raise InputError(f"input {tensor.name!r}: unknown datatype {tensor.datatype!r}")
        decoded.append(decode_tensor(data, tensor.datatype, tensor.name))
    return decoded


def to_request(request: pb.ModelInferRequest) -> InferenceRequest:
    """The request as the REST payload; malformed tensors are a 422/400 as on REST."""
    data = _raw(request) if request.raw_input_contents else [_elements(t) for t in request.inputs]
    payload = {
        "id": request.id or None,
        "inputs": [
            {
                "name": tensor.name,
                "shape": list(tensor.shape),
                "datatype": tensor.datatype,
                "data": elements,
            }
            for tensor, elements in zip(request.inputs, data, strict=True)
        ],
        "outputs": [{"name": output.name} for output in request.outputs] or None,
    }
    try:
        return InferenceRequest.model_validate(payload)
    except ValidationError as error:
        _, message = describe_validation_error(RequestValidationError(error.errors()))
        raise InputError(message) from None


def to_response(response: InferenceResponse, raw: bool) -> pb.ModelInferResponse:
    """The response as a message: outputs in `raw_output_contents` or in `contents`."""
    message = pb.ModelInferResponse(
        model_name=response.model_name,
        model_version=response.model_version or "",
        id=response.id,
    )
    for output in response.outputs:
        tensor = message.outputs.add(name=output.name, datatype=output.datatype, shape=output.shape)
        if raw:
            message.raw_output_contents.append(encode_tensor(output))
        elif output.datatype == "BYTES":
            tensor.contents.bytes_contents.extend(str(value).encode() for value in output.data)
        else:
            getattr(tensor.contents, CONTENTS[output.datatype]).extend(output.data)
    return message


def _tensor(tensor: MetadataTensor) -> pb.ModelMetadataResponse.TensorMetadata:
    return pb.ModelMetadataResponse.TensorMetadata(
        name=tensor.name, datatype=tensor.datatype, shape=tensor.shape
    )


def to_metadata(metadata: ModelMetadata) -> pb.ModelMetadataResponse:
    """Model metadata as a message: the same tensors as `GET /v2/models/{name}`."""
    return pb.ModelMetadataResponse(
        name=metadata.name,
        versions=metadata.versions or [],
        platform=metadata.platform,
        inputs=[_tensor(tensor) for tensor in metadata.inputs],
        outputs=[_tensor(tensor) for tensor in metadata.outputs],
    )
