"""`make promote`: make the trained model the production bar.

Run it when a model is deployed (CD does, after approval). When `make train` registered the
model (MLflow, `artifacts/tracking.json`), the registry's `production` alias moves to its
version and becomes the bar the next `make train` must not regress from (limits in
`confs/quality.yaml`). `confs/production_metrics.json` is written either way: it is the
bar for a checkout without the registry (a fresh clone, CI without a tracking server);
commit it.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..io.artifacts import load_artifact
from ..io.quality import PRODUCTION_FILE
from ..io.tracking import TrackedRun, TrackingError
from .process import exit_process


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
    tracked = TrackedRun.load(args.model_dir)
    if tracked is None or tracked.registered_version is None:
        print("no registered version (untracked training): the file is the bar in force")
        return 0
    from ..io.mlflow_store import promote  # imports mlflow: only when there is a registry

    try:
        promote(tracked.registered_version)
    except TrackingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(
        f"moved production to {metadata.name} version {tracked.registered_version} "
        f"(run {tracked.run_id}): the registry is the bar in force"
    )
    return 0


if __name__ == "__main__":
    exit_process(main())
