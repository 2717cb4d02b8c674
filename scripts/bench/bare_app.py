"""The serving benchmark's baseline: the least a FastAPI app can do to serve the same model.

`pnpm bench` runs it with a generated project's venv (`uv run --project <dir> python
bare_app.py`), beside the generated service, so the ratio of their throughputs is the price
of everything the service adds (validation, error handling, metrics, monitoring). It loads
the same artifact (`MODEL_DIR/model.joblib`, named and described by `metadata.json`) and
answers the same request shapes on the same routes: parse JSON, build the frame the
pipeline needs, predict, return JSON. No validation, no metrics, no access log.
"""

import json
import os
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sklearn.pipeline import Pipeline

model_dir = Path(os.environ["MODEL_DIR"])
metadata = json.loads((model_dir / "metadata.json").read_text())
pipeline = joblib.load(model_dir / "model.joblib")
features: list[str] = metadata["features"]
classifier = metadata["task"] == "classification"
# The preprocessing steps run once per request even when two outputs are computed, as the
# service does, so the ratio measures what the service adds, not how it calls the pipeline.
steps, model = (pipeline[:-1], pipeline[-1]) if isinstance(pipeline, Pipeline) else (None, pipeline)
app = FastAPI()


def predict(frame: pd.DataFrame) -> dict[str, Any]:
    """Both outputs the service returns: labels and probabilities, or values."""
    inputs = frame[features] if steps is None else steps.transform(frame[features])
    if classifier:
        probabilities = np.asarray(model.predict_proba(inputs))
        return {"predict": model.predict(inputs).tolist(), "predict_proba": probabilities}
    return {"predict": model.predict(inputs).tolist()}


@app.post(f"/v2/models/{metadata['name']}/infer")
async def infer(request: Request) -> JSONResponse:
    body = await request.json()
    outputs = predict(pd.DataFrame({tensor["name"]: tensor["data"] for tensor in body["inputs"]}))
    tensors = []
    for name, data in outputs.items():
        array = np.asarray(data)
        tensors.append(
            {"name": name, "shape": list(array.shape), "data": array.ravel().tolist()}
        )
    return JSONResponse({"model_name": metadata["name"], "outputs": tensors})


@app.post("/predict")
async def predict_records(request: Request) -> JSONResponse:
    body = await request.json()
    outputs = predict(pd.DataFrame.from_records(body["instances"]))
    answer: dict[str, Any] = {"predictions": outputs["predict"]}
    if classifier:
        answer["probabilities"] = outputs["predict_proba"][:, 1].tolist()
    return JSONResponse(answer)


@app.get("/v2/health/ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), access_log=False)
