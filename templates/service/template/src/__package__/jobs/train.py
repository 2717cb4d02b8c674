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
from ..core.model import build_baseline, build_linear_baseline, build_pipeline
from ..core.quality import (
    QualityConfig,
    fairness_gaps,
    quality_failures,
    slice_metrics,
    unmeasured_slices,
)
from ..io.artifacts import (
    ArtifactMetadata,
    file_sha256,
    git_revision,
    save_metadata,
    save_model,
)
from ..io.config import DEFAULT_CONFIG, TrainConfig, load_config
from ..io.data import TARGET, Dataset, load_dataset
from ..io.model_card import write_model_card
from ..io.quality import load_production, load_quality
from ..meta import MODEL_NAME, TASK, package_version
from ..monitoring.reference import build_reference, save_reference

logger = logging.getLogger(__name__)


LOCKFILE = Path("uv.lock")
"""Recorded by hash in the manifest: the exact dependency set the model was trained with."""


class QualityGateError(Exception):
    """The trained model missed a threshold in `confs/train.yaml`; nothing was written."""


@dataclass(frozen=True)
class Trained:
    """A fitted pipeline with the evidence for shipping it."""

    pipeline: Any
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    linear_metrics: dict[str, float]
    train: Dataset
    holdout: Dataset


def fit(config: TrainConfig, dataset: Dataset) -> Trained:
    """Fit the pipeline and the baseline on one split and score both on the held-out rows."""
    train, holdout = dataset.split(config.holdout_fraction, config.seed)
    pipeline = build_pipeline(config.model, config.seed).fit(train.features, train.target)
    baseline = build_baseline().fit(train.features, train.target)
    linear = build_linear_baseline().fit(train.features, train.target)
    return Trained(
        pipeline=pipeline,
        metrics=evaluate(pipeline, holdout.features, holdout.target),
        baseline_metrics=evaluate(baseline, holdout.features, holdout.target),
        linear_metrics=evaluate(linear, holdout.features, holdout.target),
        train=train,
        holdout=holdout,
    )


def train(
    config: TrainConfig,
    dataset: Dataset,
    output: Path,
    quality: QualityConfig | None = None,
    production: dict[str, Any] | None = None,
) -> ArtifactMetadata:
    """Fit, gate and write the artifact to `output`; raise `QualityGateError` on a bad model.

    The gate is absolute (`confs/train.yaml`), relative to the dummy and linear baselines,
    per slice and per protected group (`confs/quality.yaml`), and non-regressive against
    the production record (`confs/production_metrics.json`, when one exists).
    """
    quality = quality or load_quality()
    production = production if production is not None else load_production()
    trained = fit(config, dataset)
    slices = slice_metrics(
        trained.pipeline, trained.holdout.features, trained.holdout.target, quality
    )
    failures = gate_failures(trained.metrics, trained.baseline_metrics, config.quality_gate)
    failures += quality_failures(
        trained.metrics, trained.linear_metrics, slices, production, quality
    )
    failures += unmeasured_slices(trained.holdout.features, quality)
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
        linear_baseline_metrics=trained.linear_metrics,
        slice_metrics=slices,
        fairness_gaps=fairness_gaps(slices, quality),
        lockfile_sha256=file_sha256(LOCKFILE) if LOCKFILE.is_file() else None,
    )
    save_metadata(metadata, output)
    write_model_card(metadata, output)
    return metadata


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="training config")
    parser.add_argument("--output", type=Path, default=Path("artifacts"), help="artifact dir")
    parser.add_argument(
        "--require-clean-tree",
        action="store_true",
        help="refuse to train from uncommitted code or config (CI sets this)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.require_clean_tree and git_revision()[1] is not False:
        logger.error("refusing to train: the git tree is dirty or not a git checkout")
        return 1
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
