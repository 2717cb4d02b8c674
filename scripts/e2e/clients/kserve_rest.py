"""The KServe SDK's REST client (`kserve`, PyPI) against a generated service.

Run in a throwaway environment, not as a dependency of the project:
    uv run --no-project --with kserve python kserve_rest.py URL MODEL [ROW]
`InferenceRESTClient` (protocol v2) has calls for health, model readiness and inference;
it has none for metadata, so model metadata is read with the httpx client it is built on.
Prints one line per call; exits 1 if any check failed.
"""

import asyncio
import sys

import httpx
import numpy as np
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
from kserve.protocol.infer_type import RequestedOutput

from rows import Report, agree, columns, matrix, rows


def request(
    model: str, metadata: dict, batch: list, float_type: type, binary: bool, **kw: object
) -> InferRequest:
    inputs = []
    for name, (datatype, array) in columns(metadata["inputs"], batch, float_type).items():
        tensor = InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return InferRequest(model_name=model, infer_inputs=inputs, request_id="kserve-1", **kw)


async def main(argv: list[str]) -> int:
    base_url, model = argv[1], argv[2]
    report = Report("kserve-rest")
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=1, timeout=30))
    report.check("is_server_live()", await client.is_server_live(base_url), "live")
    report.check("is_server_ready()", await client.is_server_ready(base_url), "ready")
    report.check(
        f"is_model_ready({model!r})", await client.is_model_ready(base_url, model), "ready"
    )
    async with httpx.AsyncClient() as http:
        metadata = (await http.get(f"{base_url}/v2/models/{model}")).json()
    report.check(
        "GET model metadata (httpx)",
        metadata.get("name") == model,
        [i["name"] for i in metadata["inputs"]],
    )
    outputs = [output["name"] for output in metadata["outputs"]]
    batch = rows(argv)

    async def run(call: str, body: InferRequest) -> dict | None:
        try:
            response = await client.infer(base_url, body, model_name=model)
        except httpx.HTTPStatusError as error:
            report.check(call, False, error)
            return None
        answer = {output.name: output.as_numpy() for output in response.outputs}
        ok = response.id == "kserve-1" and all(len(v) == len(batch) for v in answer.values())
        report.check(call, ok, {name: value.tolist() for name, value in answer.items()})
        return answer

    plain = await run("infer(FP64, JSON)", request(model, metadata, batch, np.float64, False))
    binary = await run(
        "infer(FP64, binary data, binary_data_output)",
        request(model, metadata, batch, np.float64, True, parameters={"binary_data_output": True}),
    )
    fp32 = await run("infer(FP32, binary data)", request(model, metadata, batch, np.float32, True))
    first = await run(
        f"infer(request_outputs=[{outputs[0]!r}])",
        request(
            model, metadata, batch, np.float64, False, request_outputs=[RequestedOutput(outputs[0])]
        ),
    )
    if plain is not None:
        same = binary is not None and all(agree(plain[n], binary[n], True) for n in outputs)
        report.check("binary outputs == JSON outputs", same, "equal" if same else binary)
        close = fp32 is not None and all(agree(plain[n], fp32[n], False) for n in outputs)
        report.check("FP32 outputs ≈ FP64 outputs", close, "close" if close else fp32)
        report.check(
            "requested output only",
            first is not None and list(first) == outputs[:1],
            None if first is None else list(first),
        )

    datatype, table = matrix(metadata["inputs"], batch)
    tensor = InferInput("input-0", list(table.shape), datatype)
    tensor.set_data_from_numpy(table, binary_data=False)
    try:
        await client.infer(base_url, InferRequest(model, [tensor]), model_name=model)
        report.check("infer(one [N, F] tensor)", False, "accepted; expected a 400")
    except httpx.HTTPStatusError as error:
        ok = error.response.status_code == 400 and "one tensor per feature" in str(error)
        report.check("infer(one [N, F] tensor)", ok, str(error))
    await client.close()
    return report.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv)))
