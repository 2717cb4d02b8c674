"""The batch-scoring floor: the trained pipeline's own predict over the whole file, at once.

Run with the generated project's venv, in the project: `python batch_floor.py <package>
<file.parquet> <figures.json>`. Loads the artifact as the job does, reads the whole Parquet
with pandas, then times `pipeline.predict` (and `predict_proba` for a classifier) over the
whole frame in one call: no validation, no chunking, no output written, the least any engine
can do. Writes `rows`, `readSeconds`, `predictSeconds` and `calls` as JSON to <figures.json>
(stdout is the memory monitor's).
"""

import importlib
import json
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.base import is_classifier

package, source, figures = sys.argv[1], sys.argv[2], Path(sys.argv[3])
artifacts = importlib.import_module(f"{package}.io.artifacts")
pipeline = artifacts.load_artifact(Path("artifacts")).pipeline
started = time.perf_counter()
frame = pd.read_parquet(source)
read = time.perf_counter() - started
started = time.perf_counter()
pipeline.predict(frame)
if is_classifier(pipeline):
    pipeline.predict_proba(frame)
predict = time.perf_counter() - started
calls = "predict + predict_proba" if is_classifier(pipeline) else "predict"
figures.write_text(
    json.dumps({"rows": len(frame), "readSeconds": read, "predictSeconds": predict, "calls": calls})
)
