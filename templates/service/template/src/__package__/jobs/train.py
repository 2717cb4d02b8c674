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
    load_artifact,
    save_metadata,
    save_model,
)
from ..io.config import DEFAULT_CONFIG, TrainConfig, load_config
from ..io.data import TARGET, Dataset, load_dataset
from ..io.model_card import write_model_card
from ..io.quality import PRODUCTION_FILE, load_production, load_quality
from ..io.tracking import RECORD_FILE, TrackingError
from ..meta import MODEL_NAME, TASK, package_version
from ..monitoring.reference import build_reference, save_reference
from .process import exit_process

logger = logging.getLogger(__name__)


LOCKFILE = Path("uv.lock")
"""Recorded by hash in the manifest: the exact dependency set the model was trained with."""


class QualityGateError(Exception):
    """The trained model missed a threshold in `confs/train.yaml`; nothing was written."""

    def __init__(self, message: str, evidence: dict[str, Any]) -> None:
        super().__init__(message)
        self.evidence = evidence
        """Held-out, baseline and slice metrics of the rejected model (for the run log)."""


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
        evidence = {
            "metrics": trained.metrics,
            "baseline": trained.baseline_metrics,
            "linear": trained.linear_metrics,
            "slices": slices,
        }
        raise QualityGateError("quality gate failed: " + "; ".join(failures), evidence)
    # The previous model's run record would point `make promote` at the wrong registry
    # version; `--track` writes this model's once the run is recorded.
    (output / RECORD_FILE).unlink(missing_ok=True)
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


def production_bar(track: bool) -> tuple[dict[str, Any] | None, str]:
    """The non-regression bar and where it comes from, for the log.

    The registry's `production` alias when tracking and one is set, else
    `confs/production_metrics.json` (the fallback for projects without a registry).
    """
    if track:
        from .track import production_record  # imports mlflow: only when tracking

        record = production_record()
        if record is not None:
            return record, f"registry alias production ({record['version']})"
    record = load_production()
    if record is None:
        return None, f"none yet ({PRODUCTION_FILE} records no production model)"
    return record, f"{PRODUCTION_FILE} (version {record.get('version')})"


def run(args: argparse.Namespace) -> int:
    """Train with the configured bar; with `--track`, record the run and register the model."""
    production, bar = production_bar(args.track)
    logger.info("non-regression bar in force: %s", bar)
    config, dataset = load_config(args.config), load_dataset()
    try:
        metadata = train(config, dataset, args.output, production=production)
    except QualityGateError as error:
        logger.error("%s", error)
        if args.track:
            from .track import track_failed

            tracked = track_failed(config, error.evidence, dataset.fingerprint(), str(error))
            logger.info("recorded the rejected run %s", tracked.run_id)
        return 1
    logger.info("wrote %s version %s to %s/", metadata.name, metadata.version, args.output)
    logger.info("held-out metrics: %s", metadata.metrics)
    if args.track:
        from .track import track_passed

        pipeline = load_artifact(args.output).pipeline
        tracked = track_passed(config, metadata, args.output, pipeline, dataset.features.head(5))
        logger.info(
            "recorded run %s; registered %s version %s as candidate",
            tracked.run_id,
            metadata.name,
            tracked.registered_version,
        )
    return 0


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
    parser.add_argument(
        "--track",
        action="store_true",
        help="record the run in MLflow and register a passing model (`make train` sets this)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.require_clean_tree and git_revision()[1] is not False:
        logger.error("refusing to train: the git tree is dirty or not a git checkout")
        return 1
    try:
        return run(args)
    except TrackingError as error:
        logger.error("%s", error)
        return 3


if __name__ == "__main__":
    exit_process(main())
