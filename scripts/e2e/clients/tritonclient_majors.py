"""Stock Triton clients (`tritonclient[http,grpc]`, PyPI) pinned to a previous major.

After a breaking release (a feature dropped, MODEL_MAJOR raised), a caller written against
the previous major keeps its code and pins the version it was written for; a caller of the
new major pins the new one, or none. Run in a throwaway environment:
    uv run --no-project --with 'tritonclient[http,grpc]' python tritonclient_majors.py \
        REST_URL GRPC_TARGET MODEL OLD NEW ROW_JSON DROPPED
OLD and NEW are version names (`v1`, `v2`); ROW_JSON one row of the old major's inputs;
DROPPED the input the new major no longer takes. Prints one line per call; exits 1 if any
check failed. Every call is the client's own API, as a Triton user makes it.
"""

import json
import sys
from typing import Any
from urllib.parse import urlparse

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from rows import Report, columns


def check_transport(
    report: Report, client: Any, module: Any, args: dict[str, Any], as_json: bool
) -> None:
    """Metadata and inference of each major through one transport's client."""
    model, old, new, row, dropped = (args[k] for k in ("model", "old", "new", "row", "dropped"))

    def metadata(version: str) -> dict[str, Any]:
        found: dict[str, Any] = client.get_model_metadata(model, model_version=version, **as_json)
        return found

    def infer(version: str, values: dict[str, Any]) -> str:
        inputs = []
        described = metadata(version)["inputs"]
        for name, (datatype, array) in columns(described, [values], np.float64).items():
            tensor = module.InferInput(name, list(array.shape), datatype)
            tensor.set_data_from_numpy(array)
            inputs.append(tensor)
        result = client.infer(model, inputs, model_version=version)
        response = result.get_response(**as_json)
        return str(response["model_version"])

    old_inputs = [tensor["name"] for tensor in metadata(old)["inputs"]]
    new_meta = metadata(new)
    new_inputs = [tensor["name"] for tensor in new_meta["inputs"]]
    report.check(f"get_model_metadata(version={old!r})", dropped in old_inputs, old_inputs)
    report.check(f"get_model_metadata(version={new!r})", dropped not in new_inputs, new_inputs)
    listed = new_meta.get("versions", [])
    report.check("versions list both majors", {old, new} <= set(listed), listed)
    report.check(f"is_model_ready(version={old!r})", client.is_model_ready(model, old), "ready")
    answered_old = infer(old, row)
    report.check(f"infer(version={old!r}) with {dropped!r}", bool(answered_old), answered_old)
    current = {name: value for name, value in row.items() if name != dropped}
    answered_new = infer(new, current)
    report.check(
        f"infer(version={new!r}) without {dropped!r}",
        answered_new != answered_old,
        f"{answered_new} (the previous major answered as {answered_old})",
    )
    try:
        tensors = []
        for name, (datatype, array) in columns(
            [t for t in metadata(old)["inputs"] if t["name"] != dropped], [current], np.float64
        ).items():
            tensor = module.InferInput(name, list(array.shape), datatype)
            tensor.set_data_from_numpy(array)
            tensors.append(tensor)
        client.infer(model, tensors, model_version=old)
        report.check(f"infer(version={old!r}) without {dropped!r}", False, "accepted")
    except InferenceServerException as error:
        said = f"missing input {dropped!r}" in str(error)
        report.check(f"infer(version={old!r}) without {dropped!r} refused", said, str(error))


def main(argv: list[str]) -> int:
    rest, grpc_target, model, old, new, row, dropped = argv[1:8]
    args = {"model": model, "old": old, "new": new, "row": json.loads(row), "dropped": dropped}
    report = Report("tritonclient-majors")
    http = httpclient.InferenceServerClient(url=urlparse(rest).netloc)
    check_transport(report, http, httpclient, args, {})
    grpc = grpcclient.InferenceServerClient(url=grpc_target)
    check_transport(report, grpc, grpcclient, args, {"as_json": True})
    grpc.close()
    return report.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
