"""The Ray engine (`ENGINE=ray`): the local engine's `score_chunk`, mapped by Ray Data.

`ray.init()` joins the cluster `RAY_ADDRESS` names (inside a KubeRay RayJob, the job's
own); without it a local Ray is started for the run and stopped after it. The input is
read by a Datasource whose read tasks know the position of their first row, so `row` is
the local engine's: a Parquet input is read in parallel, a run of row groups per task; a
CSV, which cannot be split without reading it, is streamed by one task, chunk by chunk.
Each chunk is then validated and scored by `map_batches` on any core of the cluster.

The scored parts come back to this process through Ray's object store (streamed, under
Ray's back-pressure) and are written here into the run's staging directory: workers need
no file system shared with the driver, and the output is published whole or not at all,
as with the local engine. A failed task is retried by Ray; a run that still fails raises.
"""

import importlib
import io
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

from .blocks import ScoreBlocks, Segment, read_segment, segments, write_part
from .local import (
    PREDICTIONS,
    REJECTS,
    BatchJob,
    Totals,
    empty_rejects_like,
    write_empty_tables,
)
from .source import BatchInputError, read_chunks


def _input_source(ray: Any, location: str, chunk_rows: int, planned: list[Segment]) -> Any:
    """A Ray Data Datasource reading the input's segments, one read task each."""
    ray_data: Any = ray.data

    class InputSource(ray_data.Datasource):  # type: ignore[misc,unused-ignore]
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, **_: Any) -> list[Any]:
            block_metadata: Any = importlib.import_module("ray.data.block").BlockMetadata
            return [
                ray_data.ReadTask(
                    lambda segment=segment: read_segment(location, chunk_rows, segment),
                    block_metadata(
                        num_rows=None, size_bytes=None, input_files=None, exec_stats=None
                    ),
                )
                for segment in planned
            ]

    return InputSource()


def run_ray(job: BatchJob, output: Path) -> Totals:
    """Score `job.input` on Ray into `output/predictions/` and `output/rejects/`."""
    # The cluster's workers run this environment's Python (or the image's), where the
    # project is installed: Ray's `uv run` hook would instead re-run uv on every worker,
    # without the `ray` group, and ship the working directory with each run.
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        ray: Any = importlib.import_module("ray")
    except ModuleNotFoundError:
        raise BatchInputError(
            "ENGINE=ray needs Ray: `make batch-score ENGINE=ray` syncs the `ray` group"
        ) from None
    # Problems of the file itself are found here, before any task, with their own message.
    rows = read_chunks(job.input, 1)
    try:
        head = next(rows, None)
    finally:
        rows.close()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    try:
        return _score(ray, job, output, head)
    finally:
        if started_here:
            ray.shutdown()


def _score(ray: Any, job: BatchJob, output: Path, head: pd.DataFrame | None) -> Totals:
    ray.data.DataContext.get_current().enable_progress_bars = False
    predictions, rejects = output / PREDICTIONS, output / REJECTS
    predictions.mkdir(parents=True)
    rejects.mkdir(parents=True)
    totals = Totals(columns=[] if head is None else [str(name) for name in head.columns])
    planned = segments(job.input, job.chunk_rows)  # reads a Parquet footer: once per run
    source = _input_source(ray, job.input, job.chunk_rows, planned)
    # One block per read task: left to itself Ray Data splits the read into 200 blocks,
    # and chunks of a few hundred rows cost more to schedule than to score.
    blocks = len(planned)
    cores = max(1, int(ray.cluster_resources().get("CPU", 1)))
    # Scoring runs in a pool of actors (up to one per core), each holding the pipeline:
    # an actor stage is never fused into the read, so one CSV read feeds every core.
    scored = ray.data.read_datasource(source, override_num_blocks=blocks).map_batches(
        ScoreBlocks,
        fn_constructor_kwargs={"pipeline": job.pipeline, "version": job.version},
        batch_size=job.chunk_rows,
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=cores),
    )
    for batch in scored.iter_batches(batch_size=None, batch_format="pandas"):
        for part in batch.itertuples(index=False):
            write_part(predictions, part.first_row, part.predictions)
            write_part(rejects, part.first_row, part.rejects)
            totals.drift.merge(pd.read_parquet(io.BytesIO(part.sample)))
            totals.rows_in += part.rows_in
            totals.rows_scored += part.rows_scored
            totals.rows_rejected += part.rows_rejected
            totals.chunks += 1
    write_empty_tables(output, job.version, empty_rejects_like(head))
    return totals
