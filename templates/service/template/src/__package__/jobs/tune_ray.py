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
logger = logging.getLogger(__name__)


def _trial(config: dict[str, Any], candidates: list[dict[str, Any]], trial: Trial) -> None:
    """One Ray Tune trial: the candidate at `config["index"]`, its score reported."""
    tune: Any = importlib.import_module("ray.tune")
    tune.report({"score": trial(candidates[config["index"]])})


def _span(metrics: dict[str, Any]) -> tuple[float, float]:
    """When a trial ran: Ray Tune records its end (`timestamp`) and its length (`time_total_s`)."""
    end = float(metrics["timestamp"])
    return end - float(metrics["time_total_s"]), end


def most_at_once(spans: list[tuple[float, float]]) -> int:
    """The largest number of trials running at the same moment."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, change in events:  # an end sorts before a start at the same time
        running += change
        most = max(most, running)
    return most


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
            spans = [_span(result.metrics) for result in results]
        cpus = int(ray.cluster_resources().get("CPU", 0))
        logger.info(
            "%d trials on Ray Tune, at most %d at once, on %d CPUs",
            len(scores),
            most_at_once(spans),
            cpus,
        )
    finally:
        if started_here:
            ray.shutdown()
    return [float(scores[index]) for index in range(len(candidates))]
