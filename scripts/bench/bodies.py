"""Write the serving benchmark's request bodies: real training rows, 1 and 1000 per request.

Run with the generated project's venv: `uv run --project <dir> python bodies.py <package>
<out-dir>`. Rows come from the project's own dataset (cycled to 1000), so every body passes
the feature schema; one file per route and batch size, in the shapes both apps accept.
"""

import importlib
import json
import sys
from itertools import cycle, islice
from pathlib import Path

package, out = sys.argv[1], Path(sys.argv[2])
frame = importlib.import_module(f"{package}.io.data").load_dataset().features.astype(float)
records = frame.to_dict("records")
for size in (1, 1000):
    rows = list(islice(cycle(records), size))
    predict = {"instances": rows}
    infer = {
        "inputs": [
            {"name": name, "shape": [size], "datatype": "FP64", "data": [r[name] for r in rows]}
            for name in frame.columns
        ]
    }
    (out / f"predict-{size}.json").write_text(json.dumps(predict))
    (out / f"infer-{size}.json").write_text(json.dumps(infer))
