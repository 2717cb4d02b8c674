"""The stock Triton HTTP client (`tritonclient[http]`, PyPI) against a generated service.

Run in a throwaway environment, not as a dependency of the project:
    uv run --no-project --with 'tritonclient[http]' python tritonclient_http.py URL MODEL [ROW]
Prints one line per call with its result; exits 1 if any check failed. Every call is the
client's own API, used as a Triton user would: no header or body is made by hand.
"""

import sys
from urllib.parse import urlparse

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from rows import Report, agree, columns, matrix, rows


def infer_inputs(metadata: dict, batch: list, float_type: type, binary: bool) -> list:
    """One InferInput per feature, as the model's metadata lists them."""
    inputs = []
    for name, (datatype, array) in columns(metadata["inputs"], batch, float_type).items():
        tensor = httpclient.InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return inputs


def main(argv: list[str]) -> int:
    base_url, model = argv[1], argv[2]
    report = Report("tritonclient-http")
    client = httpclient.InferenceServerClient(url=urlparse(base_url).netloc)
    report.check("is_server_live()", client.is_server_live(), "live")
    report.check("is_server_ready()", client.is_server_ready(), "ready")
    server = client.get_server_metadata()
    report.check("get_server_metadata()", "binary_tensor_data" in server["extensions"], server)
    report.check(f"is_model_ready({model!r})", client.is_model_ready(model), "ready")
    metadata = client.get_model_metadata(model)
    report.check(
        f"get_model_metadata({model!r})",
        metadata["name"] == model,
        {
            "inputs": [i["name"] for i in metadata["inputs"]],
            "outputs": [o["name"] for o in metadata["outputs"]],
        },
    )
    outputs = [output["name"] for output in metadata["outputs"]]
    batch = rows(argv)

    def run(call: str, float_type: type, binary: bool, **kwargs: object) -> dict | None:
        try:
            result = client.infer(
                model, infer_inputs(metadata, batch, float_type, binary), **kwargs
            )
        except InferenceServerException as error:
            report.check(call, False, error)
            return None
        answer = {name: result.as_numpy(name) for name in outputs if result.get_output(name)}
        shown = {name: value.tolist() for name, value in answer.items()}
        report.check(call, all(len(v) == len(batch) for v in answer.values()), shown)
        return answer

    plain = run(
        "infer(FP64, JSON data, JSON outputs)",
        np.float64,
        False,
        outputs=[httpclient.InferRequestedOutput(n, binary_data=False) for n in outputs],
    )
    binary = run("infer(FP64, binary data, binary outputs by default)", np.float64, True)
    fp32 = run("infer(FP32, binary data)", np.float32, True)
    gzipped = run(
        "infer(FP64, binary, request_compression_algorithm='gzip')",
        np.float64,
        True,
        request_compression_algorithm="gzip",
    )
    first = run(
        f"infer(outputs=[{outputs[0]!r}] binary)",
        np.float64,
        True,
        outputs=[httpclient.InferRequestedOutput(outputs[0], binary_data=True)],
    )
    if plain is not None:
        for label, other in (("binary", binary), ("gzip", gzipped)):
            same = other is not None and all(agree(plain[n], other[n], True) for n in outputs)
            report.check(f"{label} outputs == JSON outputs", same, "equal" if same else other)
        close = fp32 is not None and all(agree(plain[n], fp32[n], False) for n in outputs)
        report.check("FP32 outputs ≈ FP64 outputs", close, "close" if close else fp32)
        report.check(
            "requested output only",
            first is not None and list(first) == outputs[:1],
            None if first is None else list(first),
        )

    # One [N, F] tensor, as many Triton models take: refused with a message that says why.
    datatype, table = matrix(metadata["inputs"], batch)
    tensor = httpclient.InferInput("input__0", list(table.shape), datatype)
    tensor.set_data_from_numpy(table)
    try:
        client.infer(model, [tensor])
        report.check("infer(one [N, F] tensor)", False, "accepted; expected a 400")
    except InferenceServerException as error:
        message = str(error)
        ok = error.status() == "400" and "one tensor per feature" in message
        report.check("infer(one [N, F] tensor)", ok, f"{error.status()} {message}")
    return report.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
