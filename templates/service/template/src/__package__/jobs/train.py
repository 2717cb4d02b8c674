"""Train → evaluate on held-out data → quality gate → write the artifact.

Run it with `make train` or `python -m <package>.jobs.train [--config ...] [--output ...]`.
The artifact is written only after the gate passes, so `artifacts/` never holds a model
that failed its own bar, and CI fails the run (exit code 1) instead of shipping it.
"""

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sklearn

from ..core.metrics import evaluate, gate_failures
from ..core.model import build_baseline, build_pipeline
from ..io.artifacts import ArtifactMetadata, git_revision, save_metadata, save_model
from ..io.config import DEFAULT_CONFIG, TrainConfig, load_config
from ..io.data import TARGET, Dataset, load_dataset
from ..io.model_card import write_model_card
from ..meta import MODEL_NAME, TASK, package_version
from ..monitoring.reference import build_reference, save_reference

logger = logging.getLogger(__name__)


class QualityGateError(Exception):
    """The trained model missed a threshold in `confs/train.yaml`; nothing was written."""


@dataclass(frozen=True)
class Trained:
    """A fitted pipeline with the evidence for shipping it."""

    pipeline: Any
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    train: Dataset
    holdout: Dataset


def fit(config: TrainConfig, dataset: Dataset) -> Trained:
    """Fit the pipeline and the baseline on one split and score both on the held-out rows."""
    train, holdout = dataset.split(config.holdout_fraction, config.seed)
    pipeline = build_pipeline(config.model, config.seed).fit(train.features, train.target)
    baseline = build_baseline().fit(train.features, train.target)
    return Trained(
        pipeline=pipeline,
        metrics=evaluate(pipeline, holdout.features, holdout.target),
        baseline_metrics=evaluate(baseline, holdout.features, holdout.target),
        train=train,
        holdout=holdout,
    )


def train(config: TrainConfig, dataset: Dataset, output: Path) -> ArtifactMetadata:
    """Fit, gate and write the artifact to `output`; raise `QualityGateError` on a bad model."""
    trained = fit(config, dataset)
    failures = gate_failures(trained.metrics, trained.baseline_metrics, config.quality_gate)
    if failures:
        raise QualityGateError("quality gate failed: " + "; ".join(failures))
    model_sha256 = save_model(trained.pipeline, output)
    # What production inputs and predictions are compared with to detect drift.
    save_reference(build_reference(trained.pipeline, trained.train.features), output)
    git_sha, git_dirty = git_revision()
    metadata = ArtifactMetadata(
        name=MODEL_NAME,
        version=model_sha256[:12],
        task=TASK,
        features=[str(name) for name in trained.pipeline.feature_names_in_],
        target=TARGET,
        metrics=trained.metrics,
        baseline_metrics=trained.baseline_metrics,
        data_hash=dataset.fingerprint(),
        git_sha=git_sha,
        git_dirty=git_dirty,
        created_at=datetime.now(UTC),
        package_version=package_version(),
        sklearn_version=sklearn.__version__,
        model_sha256=model_sha256,
        config=config.model_dump(mode="json"),
    )
    save_metadata(metadata, output)
    write_model_card(metadata, output)
    return metadata


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="training config")
    parser.add_argument("--output", type=Path, default=Path("artifacts"), help="artifact dir")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        metadata = train(load_config(args.config), load_dataset(), args.output)
    except QualityGateError as error:
        logger.error("%s", error)
        return 1
    logger.info("wrote %s version %s to %s/", metadata.name, metadata.version, args.output)
    logger.info("held-out metrics: %s", metadata.metrics)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
