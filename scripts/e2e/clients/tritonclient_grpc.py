"""The stock Triton gRPC client (`tritonclient[grpc]`, PyPI) against a generated service.

Run in a throwaway environment, not as a dependency of the project:
    uv run --no-project --with 'tritonclient[grpc]' python tritonclient_grpc.py TARGET MODEL [ROW]
TARGET is the service's gRPC address (`127.0.0.1:8081`). Prints one line per call with its
result; exits 1 if any check failed. Every call is the client's own API, used as a Triton
user would: it sends tensors in `raw_input_contents` and reads `raw_output_contents`.
"""

import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

from rows import Report, agree, columns, matrix, rows


def infer_inputs(metadata: dict, batch: list, float_type: type) -> list:
    """One InferInput per feature, as the model's metadata lists them."""
    inputs = []
    for name, (datatype, array) in columns(metadata["inputs"], batch, float_type).items():
        tensor = grpcclient.InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array)
        inputs.append(tensor)
    return inputs


def main(argv: list[str]) -> int:
    target, model = argv[1], argv[2]
    report = Report("tritonclient-grpc")
    client = grpcclient.InferenceServerClient(url=target)
    report.check("is_server_live()", client.is_server_live(), "live")
    report.check("is_server_ready()", client.is_server_ready(), "ready")
    server = client.get_server_metadata(as_json=True)
    report.check("get_server_metadata()", bool(server.get("name")), server)
    report.check(f"is_model_ready({model!r})", client.is_model_ready(model), "ready")
    metadata = client.get_model_metadata(model, as_json=True)
    report.check(
        f"get_model_metadata({model!r})",
        metadata["name"] == model and bool(metadata["inputs"]),
        {
            "versions": metadata.get("versions"),
            "inputs": [(i["name"], i["datatype"]) for i in metadata["inputs"]],
            "outputs": [(o["name"], o["datatype"]) for o in metadata["outputs"]],
        },
    )
    outputs = [output["name"] for output in metadata["outputs"]]
    batch = rows(argv)

    def run(call: str, float_type: type, **kwargs: object) -> dict | None:
        try:
            result = client.infer(model, infer_inputs(metadata, batch, float_type), **kwargs)
        except InferenceServerException as error:
            report.check(call, False, error)
            return None
        answer = {name: result.as_numpy(name) for name in outputs if result.get_output(name)}
        shown = {name: value.tolist() for name, value in answer.items()}
        report.check(call, all(len(v) == len(batch) for v in answer.values()), shown)
        return answer

    fp64 = run("infer(FP64, per-feature tensors)", np.float64, request_id="grpc-e2e")
    fp32 = run("infer(FP32, per-feature tensors)", np.float32)
    gzipped = run(
        "infer(FP64, compression_algorithm='gzip')", np.float64, compression_algorithm="gzip"
    )
    first = run(
        f"infer(outputs=[{outputs[0]!r}])",
        np.float64,
        outputs=[grpcclient.InferRequestedOutput(outputs[0])],
    )
    if fp64 is not None:
        close = fp32 is not None and all(agree(fp64[n], fp32[n], False) for n in outputs)
        report.check("FP32 outputs ≈ FP64 outputs", close, "close" if close else fp32)
        same = gzipped is not None and all(agree(fp64[n], gzipped[n], True) for n in outputs)
        report.check("gzip outputs == FP64 outputs", same, "equal" if same else gzipped)
        report.check(
            "requested output only",
            first is not None and list(first) == outputs[:1],
            None if first is None else list(first),
        )

    # One [N, F] tensor, as many Triton models take: refused with a message that says why.
    datatype, table = matrix(metadata["inputs"], batch)
    tensor = grpcclient.InferInput("input__0", list(table.shape), datatype)
    tensor.set_data_from_numpy(table)
    try:
        client.infer(model, [tensor])
        report.check("infer(one [N, F] tensor)", False, "accepted; expected INVALID_ARGUMENT")
    except InferenceServerException as error:
        message = str(error)
        ok = "INVALID_ARGUMENT" in str(error.status()) and "one tensor per feature" in message
        report.check("infer(one [N, F] tensor)", ok, f"{error.status()} {message}")
    client.close()
    return report.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
