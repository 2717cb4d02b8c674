"""Write the serving benchmark's request bodies: real training rows, 1 and 1000 per request.

Run with the generated project's venv: `uv run --project <dir> python bodies.py <package>
<out-dir>`. Rows come from the project's own dataset (cycled to 1000), so every body passes
the feature schema; one file per route and batch size, in the shapes every app accepts.
gRPC bodies are the same infer request as a ModelInferRequest in protobuf's JSON form (ghz).
An infer body also names its outputs (both, for a classifier) and asks for a pandas frame
(`content_type: pd`): what MLServer's scikit-learn runtime needs to hand the Pipeline named
columns and to return the same outputs the service does, so all apps do the same work.
"""

import importlib
import json
import sys
from itertools import cycle, islice
from pathlib import Path

package, out = sys.argv[1], Path(sys.argv[2])
frame = importlib.import_module(f"{package}.io.data").load_dataset().features.astype(float)
meta = importlib.import_module(f"{package}.meta")
task = meta.TASK
outputs = ["predict", "predict_proba"] if task == "classification" else ["predict"]
records = frame.to_dict("records")
for size in (1, 1000):
    rows = list(islice(cycle(records), size))
    predict = {"instances": rows}
    infer = {
        "parameters": {"content_type": "pd"},
        "outputs": [{"name": name} for name in outputs],
        "inputs": [
            {"name": name, "shape": [size], "datatype": "FP64", "data": [r[name] for r in rows]}
            for name in frame.columns
        ]
    }
    grpc = {
        "model_name": meta.MODEL_NAME,
        "parameters": {"content_type": {"string_param": "pd"}},
        "outputs": infer["outputs"],
        "inputs": [
            {
                "name": tensor["name"],
                "datatype": "FP64",
                "shape": [size],
                "contents": {"fp64_contents": tensor["data"]},
            }
            for tensor in infer["inputs"]
        ],
    }
    (out / f"predict-{size}.json").write_text(json.dumps(predict))
    (out / f"grpc-infer-{size}.json").write_text(json.dumps(grpc))
    (out / f"infer-{size}.json").write_text(json.dumps(infer))
