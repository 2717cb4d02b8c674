"""`make rollback-model`: move production back to the model version promoted before it.

The registry's `production` alias (the non-regression bar, and the version CD deploys) goes back
to the version promoted before the current one; the current one is marked rolled back, so a
second run goes further back. `confs/production_metrics.json` follows, for checkouts without
the registry: commit it. The running service keeps its image until it is redeployed (CD, or
`make rollback` for the cluster's previous rollout).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..io.quality import PRODUCTION_FILE
from ..io.tracking import TrackingError
from .process import exit_process


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description="Move production back to the previous version.")
    parser.add_argument("--output", type=Path, default=PRODUCTION_FILE)
    args = parser.parse_args(argv)
    from ..io.mlflow_store import production_record, roll_back  # imports mlflow

    try:
        before, after = roll_back()
        record = production_record()
    except TrackingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    if record is not None:
        args.output.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(
        f"moved production from version {before} back to version {after}; "
        f"{args.output} holds its bar (commit it), and redeploying puts it in service"
    )
    return 0


if __name__ == "__main__":
    exit_process(main())
