"""The KServe SDK's gRPC client (`kserve`, PyPI) against a generated service.

Run in a throwaway environment, not as a dependency of the project:
    uv run --no-project --with kserve python kserve_grpc.py TARGET MODEL [ROW] [--rest URL]
TARGET is the service's gRPC address (`127.0.0.1:8081`). `InferenceGRPCClient` (async) has
calls for health, model readiness and inference; it has none for metadata, so server and
model metadata are read with the SDK's own generated stub (`GRPCInferenceServiceStub`).
With `--rest URL`, the same requests also go through the SDK's REST client, and the two
protocols must give the same predictions. Prints one line per call; exits 1 if any check
failed.
"""

import argparse
import asyncio
import logging
import sys

import grpc
import numpy as np
from google.protobuf.json_format import MessageToDict
from kserve import InferenceGRPCClient, InferenceRESTClient, InferInput, InferRequest, RESTConfig
from kserve.protocol.grpc import grpc_predict_v2_pb2 as pb
from kserve.protocol.grpc.grpc_predict_v2_pb2_grpc import GRPCInferenceServiceStub
from kserve.protocol.infer_type import RequestedOutput

from rows import Report, agree, columns, matrix, rows

REQUEST_ID = "kserve-grpc-1"


def request(
    model: str, metadata: dict, batch: list, float_type: type, raw: bool, **kw: object
) -> InferRequest:
    """One InferInput per feature: sent as `raw_input_contents` if `raw`, else as `contents`."""
    inputs = []
    for name, (datatype, array) in columns(metadata["inputs"], batch, float_type).items():
        tensor = InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=raw)
        inputs.append(tensor)
    return InferRequest(model_name=model, infer_inputs=inputs, request_id=REQUEST_ID, **kw)


async def metadata_calls(target: str, model: str, report: Report) -> dict:
    """Server and model metadata through the SDK's stub; the model's metadata as a dict."""
    async with grpc.aio.insecure_channel(target) as channel:
        stub = GRPCInferenceServiceStub(channel)
        server = MessageToDict(await stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=30))
        report.check("ServerMetadata (stub)", bool(server.get("name")), server)
        found = await stub.ModelMetadata(pb.ModelMetadataRequest(name=model), timeout=30)
    metadata = MessageToDict(found, preserving_proto_field_name=True)
    report.check(
        f"ModelMetadata({model!r}) (stub)",
        metadata.get("name") == model and bool(metadata.get("inputs")),
        {
            "versions": metadata.get("versions"),
            "inputs": [(i["name"], i["datatype"]) for i in metadata["inputs"]],
            "outputs": [(o["name"], o["datatype"]) for o in metadata["outputs"]],
        },
    )
    return metadata


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("model")
    parser.add_argument("row", nargs="?")
    parser.add_argument("--rest", help="the service's REST URL, to compare predictions with")
    args = parser.parse_args(argv[1:])
    target, model = args.target, args.model
    report = Report("kserve-grpc")
    client = InferenceGRPCClient(target, timeout=30)  # the SDK's default retries (3)
    report.check("is_server_live()", await client.is_server_live(), "live")
    report.check("is_server_ready()", await client.is_server_ready(), "ready")
    report.check(f"is_model_ready({model!r})", await client.is_model_ready(model), "ready")
    metadata = await metadata_calls(target, model, report)
    outputs = [output["name"] for output in metadata["outputs"]]
    batch = rows([argv[0], target, model, *([args.row] if args.row else [])])

    async def run(call: str, body: InferRequest) -> dict | None:
        try:
            response = await client.infer(body)
        except grpc.aio.AioRpcError as error:
            report.check(call, False, f"{error.code()} {error.details()}")
            return None
        answer = {output.name: output.as_numpy() for output in response.outputs}
        ok = response.id == REQUEST_ID and all(len(v) == len(batch) for v in answer.values())
        report.check(call, ok, {name: value.tolist() for name, value in answer.items()})
        return answer

    contents = await run(
        "infer(FP64, contents)", request(model, metadata, batch, np.float64, raw=False)
    )
    raw = await run(
        "infer(FP64, raw_input_contents)", request(model, metadata, batch, np.float64, raw=True)
    )
    fp32 = await run(
        "infer(FP32, raw_input_contents)", request(model, metadata, batch, np.float32, raw=True)
    )
    only_first = [RequestedOutput(outputs[0])]
    first = await run(
        f"infer(request_outputs=[{outputs[0]!r}])",
        request(model, metadata, batch, np.float64, raw=False, request_outputs=only_first),
    )
    if contents is not None:
        same = raw is not None and all(agree(contents[n], raw[n], True) for n in outputs)
        report.check("raw outputs == contents outputs", same, "equal" if same else raw)
        close = fp32 is not None and all(agree(contents[n], fp32[n], False) for n in outputs)
        report.check("FP32 outputs ≈ FP64 outputs", close, "close" if close else fp32)
        report.check(
            "requested output only",
            first is not None and list(first) == outputs[:1],
            None if first is None else list(first),
        )
        if args.rest:
            rest = InferenceRESTClient(RESTConfig(protocol="v2", retries=1, timeout=30))
            body = request(model, metadata, batch, np.float64, raw=False)
            answer = await rest.infer(args.rest, body, model_name=model)
            await rest.close()
            over_rest = {output.name: output.as_numpy() for output in answer.outputs}
            same = all(agree(contents[n], over_rest[n], True) for n in outputs)
            report.check("gRPC outputs == REST outputs", same, "equal" if same else over_rest)

    # One [N, F] tensor, as many models take: refused with a message that says why.
    datatype, table = matrix(metadata["inputs"], batch)
    tensor = InferInput("input-0", list(table.shape), datatype)
    tensor.set_data_from_numpy(table, binary_data=False)
    # The SDK logs every failed call with its traceback; this failure is the expected one.
    logging.getLogger("kserve.trace").disabled = True
    try:
        await client.infer(InferRequest(model, [tensor]))
        report.check("infer(one [N, F] tensor)", False, "accepted; expected INVALID_ARGUMENT")
    except grpc.aio.AioRpcError as error:
        message = str(error.details())
        refused = error.code() == grpc.StatusCode.INVALID_ARGUMENT
        ok = refused and "one tensor per feature" in message
        report.check("infer(one [N, F] tensor)", ok, f"{error.code()} {message}")
    await client.close()
    return report.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
