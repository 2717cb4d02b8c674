"""`make promote`: record the trained model's metrics as the production bar.

Run it when a model is deployed (CD does, after approval). The next `make train` must not
regress from `confs/production_metrics.json` (limits in `confs/quality.yaml`); commit it.
"""

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from ..io.artifacts import load_artifact
from ..io.quality import PRODUCTION_FILE


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Record the artifact as the production bar.")
    parser.add_argument("--model-dir", type=Path, default=Path("artifacts"))
    parser.add_argument("--output", type=Path, default=PRODUCTION_FILE)
    args = parser.parse_args(argv)
    metadata = load_artifact(args.model_dir).metadata
    record = {
        "version": metadata.version,
        "metrics": metadata.metrics,
        "slices": metadata.slice_metrics,
    }
    args.output.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"recorded {metadata.name} {metadata.version} as production in {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
