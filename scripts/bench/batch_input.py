"""Write the batch-scoring benchmark's input: training rows, drawn with replacement, as Parquet.

Run with the generated project's venv: `uv run --project <dir> python batch_input.py <package>
<rows> <file.parquet>`. The rows are the project's own training features (so every row passes
the feature schema), drawn with a fixed seed, written in row groups of 100,000 rows: what a
warehouse export looks like, and what lets the Ray engine read in parallel.
"""

import importlib
import sys

import numpy as np

ROW_GROUP = 100_000
SEED = 19

package, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
features = importlib.import_module(f"{package}.io.data").load_dataset().features
drawn = np.random.default_rng(SEED).integers(0, len(features), size=rows)
features.iloc[drawn].reset_index(drop=True).to_parquet(out, index=False, row_group_size=ROW_GROUP)
