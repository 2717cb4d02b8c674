"""`make tune ENGINE=ray`: the grid's trials on Ray Tune, in parallel across a cluster.

Each trial calls the trial function `make tune` runs locally (the same cross-validation of
the same pipeline), so both engines score every candidate identically and `jobs/tune.py`
picks the winner the same way. `ray.init()` joins the cluster `RAY_ADDRESS` names; without
it a local Ray is started for the run. Trial results go to a temporary directory, removed
afterwards: the outcome of a search is `confs/tuned.yaml`, not Ray's experiment folder.
"""

import importlib
import logging
import os
import tempfile
from collections.abc import Callable
from typing import Any

Trial = Callable[[dict[str, Any]], float]


def _trial(config: dict[str, Any], candidates: list[dict[str, Any]], trial: Trial) -> None:
    """One Ray Tune trial: the candidate at `config["index"]`, its score reported."""
    tune: Any = importlib.import_module("ray.tune")
    tune.report({"score": trial(candidates[config["index"]])})


def run_ray_tune(candidates: list[dict[str, Any]], trial: Trial) -> list[float]:
    """Every candidate's score, in `candidates` order, each scored in its own Ray Tune trial."""
    # The workers run this environment's Python, where the project is installed (see
    # batch/ray_engine.py): Ray's `uv run` hook would re-run uv without the `ray` group.
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        ray: Any = importlib.import_module("ray")
        tune: Any = importlib.import_module("ray.tune")
    except ModuleNotFoundError:
        raise SystemExit(
            "ENGINE=ray needs Ray: `make tune ENGINE=ray` syncs the `ray` group"
        ) from None
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    try:
        with tempfile.TemporaryDirectory(prefix="ray-tune-") as storage:
            tuner = tune.Tuner(
                tune.with_parameters(_trial, candidates=candidates, trial=trial),
                param_space={"index": tune.grid_search(list(range(len(candidates))))},
                run_config=tune.RunConfig(storage_path=storage, name="tune", verbose=0),
            )
            results = tuner.fit()
            failed = [result.error for result in results if result.error is not None]
            if failed:
                raise RuntimeError(f"{len(failed)} Ray Tune trial(s) failed: {failed[0]!r}")
            scores = {result.config["index"]: result.metrics["score"] for result in results}
    finally:
        if started_here:
            ray.shutdown()
    return [float(scores[index]) for index in range(len(candidates))]
