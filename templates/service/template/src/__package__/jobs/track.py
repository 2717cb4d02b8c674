"""What `make train` records in MLflow for a run that passed or failed the quality gate.

Kept apart from `jobs/train.py` so training stays usable (and testable) without mlflow:
only `--track` imports this module, and it imports mlflow.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from ..io.artifacts import ArtifactMetadata, file_sha256, git_revision
from ..io.config import TrainConfig
from ..io.data import data_source
from ..io.mlflow_store import log_run, production_record
from ..io.tracking import MODEL_SHA_TAG, RUN_ARTIFACTS, TrackedRun, flatten, metrics_to_log

LOCKFILE = Path("uv.lock")
EVALUATION_REPORT = Path("reports/evaluation")
"""`make report`'s output, logged with the run when it exists."""


def lineage_tags(data_hash: str, verdict: str) -> dict[str, str]:
    """Commit, tree state, data and environment: what the run can be traced back to."""
    sha, dirty = git_revision()
    tags = {
        "quality_gate": verdict,
        "data.fingerprint": data_hash,
        "data.source": data_source(),
        "git.dirty": str(dirty).lower(),
        "uv_lock.sha256": file_sha256(LOCKFILE) if LOCKFILE.is_file() else "none",
    }
    if sha is not None:
        tags["mlflow.source.git.commit"] = sha  # MLflow's own tag: the UI links the commit
    return tags


def track_passed(
    config: TrainConfig,
    metadata: ArtifactMetadata,
    output: Path,
    pipeline: Any,
    sample: pd.DataFrame,
) -> TrackedRun:
    """Log the run with the artifact folder and the model, register it as `candidate`."""
    metrics = metrics_to_log(
        metadata.metrics,
        metadata.baseline_metrics,
        metadata.linear_baseline_metrics,
        metadata.slice_metrics,
    )
    tags = lineage_tags(metadata.data_hash, "passed") | {MODEL_SHA_TAG: metadata.model_sha256}
    artifacts = {RUN_ARTIFACTS: output, "evaluation": EVALUATION_REPORT}
    params = flatten(config.model_dump(mode="json"))
    run = log_run(Path(), params, metrics, tags, artifacts, (pipeline, sample))
    run.save(output)
    return run


def track_failed(
    config: TrainConfig, evidence: dict[str, Any], data_hash: str, failures: str
) -> TrackedRun:
    """Log a rejected run: its metrics and why the gate refused it; nothing is registered."""
    metrics = metrics_to_log(
        evidence["metrics"], evidence["baseline"], evidence["linear"], evidence["slices"]
    )
    tags = lineage_tags(data_hash, "failed") | {"quality_gate.failures": failures[:5000]}
    return log_run(Path(), flatten(config.model_dump(mode="json")), metrics, tags, {}, None)


__all__ = ["production_record", "track_failed", "track_passed"]
