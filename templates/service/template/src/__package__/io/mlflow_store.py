"""The calls into MLflow: log a training run, register its model, move aliases.

Imported only by the jobs that track (`make train`, `make promote`): importing mlflow
costs about a second, which the service and the test suite never pay. The registered model
is named after the project; its versions carry the aliases `candidate` (passed the gate)
and `production` (promoted). See `io/tracking.py` for what is recorded and where.
"""

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import mlflow
import mlflow.sklearn
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature, infer_signature
from mlflow.types import ColSpec, Schema

from ..core.schemas import Features
from ..meta import MODEL_NAME
from .tracking import (
    CANDIDATE,
    MODEL_SHA_TAG,
    PRODUCTION,
    TRACKING_DIR,
    TrackedRun,
    TrackingError,
    describe_uri,
    experiment_id,
    team_registry,
    tracking_uri,
)


def column_type(dtype: Any) -> str:
    """The MLflow column type of one schema column's pandas dtype."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "long"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    return "string"


def schema_inputs() -> Schema:
    """The signature's inputs the feature schema implies: names, types, which may be null."""
    columns = Features.to_schema().columns.items()
    return Schema(
        [
            ColSpec(column_type(column.dtype.type), str(name), required=not column.nullable)
            for name, column in columns
        ]
    )


def schema_signature(pipeline: Any, sample: pd.DataFrame) -> ModelSignature:
    """Inputs from the feature schema (`schema_inputs`); outputs inferred."""
    outputs = infer_signature(sample, pipeline.predict(sample)).outputs
    return ModelSignature(inputs=schema_inputs(), outputs=outputs)


RETRY_DEFAULTS: Final = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}
"""MLflow's HTTP retries unless the environment sets them: 1 + 2 + 4 s of back-off.

MLflow's own defaults (7 retries, factor 2) spend about four minutes on a tracking server
that is down before `make train` or the service can say so; a server that blips for a few
seconds is still ridden out. Set either variable to change it."""


def connect(root: Path = Path()) -> MlflowClient:
    """Point mlflow at the configured store (embedded SQLite by default)."""
    for name, value in RETRY_DEFAULTS.items():
        os.environ.setdefault(name, value)
    mlflow.set_tracking_uri(tracking_uri(root))
    return MlflowClient()


def log_run(
    root: Path,
    params: dict[str, str],
    metrics: dict[str, float],
    tags: dict[str, str],
    artifacts: dict[str, Path],
    model: tuple[Any, pd.DataFrame] | None,
) -> TrackedRun:
    """Record one training run; with a model (it passed the gate), register it as candidate.

    The model version is created last, after every file is uploaded, so a store that fails
    mid-run leaves a failed run and no version.
    """
    try:
        client = connect(root)
        with mlflow.start_run(experiment_id=experiment_id(client, root)) as run:
            mlflow.log_params(params)
            mlflow.log_metrics(metrics)
            mlflow.set_tags(tags)
            for name, path in artifacts.items():
                if path.is_dir():
                    mlflow.log_artifacts(str(path), artifact_path=name)
            if model is None:
                return TrackedRun(run.info.run_id, "", None)
            pipeline, sample = model
            info = mlflow.sklearn.log_model(
                pipeline,
                name="model",
                signature=schema_signature(pipeline, sample),
                # The project's lockfile is the real environment; naming the libraries
                # here skips mlflow's slow requirement inference (a subprocess per run).
                pip_requirements=requirements(),
                serialization_format="pickle",
            )
            version = mlflow.register_model(info.model_uri, MODEL_NAME).version
            client.set_registered_model_alias(MODEL_NAME, CANDIDATE, version)
            return TrackedRun(
                run.info.run_id,
                info.model_uri,
                str(version),
                registry=team_registry(),
                model_sha256=tags.get(MODEL_SHA_TAG),
            )
    except (MlflowException, OSError) as error:
        store = describe_uri(tracking_uri(root))
        raise TrackingError(f"tracking to {store} failed, nothing registered: {error}") from error


def requirements() -> list[str]:
    """The libraries the pickled pipeline needs, at the versions it was trained with."""
    import numpy
    import sklearn

    return [
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={numpy.__version__}",
    ]


# Model version tags: when a version was last promoted (aliases keep no history, so this is
# how a rollback finds the version before), and that production was rolled back from it.
PROMOTED_AT: Final = "promoted_at"
ROLLED_BACK_AT: Final = "rolled_back_at"


def promote(version: str, root: Path = Path()) -> None:
    """Move the `production` alias to `version` of the project's registered model."""
    try:
        client = connect(root)
        client.set_registered_model_alias(MODEL_NAME, PRODUCTION, version)
        client.set_model_version_tag(MODEL_NAME, version, PROMOTED_AT, _now())
        # Promoting a version again, after fixing what made it roll back, clears the mark.
        client.delete_model_version_tag(MODEL_NAME, version, ROLLED_BACK_AT)
    except (MlflowException, OSError) as error:
        raise TrackingError(f"cannot move {PRODUCTION} to version {version}: {error}") from error


def roll_back(root: Path = Path()) -> tuple[str, str]:
    """Move `production` back to the version promoted before it; returns (from, to).

    The version rolled back from is tagged, so a second rollback goes further back instead of
    returning to it. Versions never promoted are never candidates.
    """
    try:
        client = connect(root)
        current = client.get_model_version_by_alias(MODEL_NAME, PRODUCTION)
    except (MlflowException, OSError) as error:
        raise TrackingError(f"no {PRODUCTION} version to roll back from: {error}") from error
    since = current.tags.get(PROMOTED_AT, "")
    earlier = [
        version
        for version in client.search_model_versions(f"name='{MODEL_NAME}'")
        if version.version != current.version
        and ROLLED_BACK_AT not in version.tags
        and "" < version.tags.get(PROMOTED_AT, "") < since
    ]
    if not earlier:
        raise TrackingError(
            f"no version was promoted before version {current.version}: nothing to roll back to"
        )
    target = max(earlier, key=lambda version: version.tags[PROMOTED_AT])
    try:
        client.set_model_version_tag(MODEL_NAME, current.version, ROLLED_BACK_AT, _now())
        client.set_registered_model_alias(MODEL_NAME, PRODUCTION, target.version)
    except (MlflowException, OSError) as error:
        raise TrackingError(f"cannot move {PRODUCTION} back: {error}") from error
    return str(current.version), str(target.version)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def production_record(root: Path = Path()) -> dict[str, Any] | None:
    """The production version's bar (version, metrics, slices), or None before any promotion."""
    try:
        client = connect(root)
        version = client.get_model_version_by_alias(MODEL_NAME, PRODUCTION)
    except MlflowException as error:
        if error.error_code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}:
            return None
        raise TrackingError(_unreadable(root, error)) from error
    except OSError as error:
        raise TrackingError(_unreadable(root, error)) from error
    metadata = mlflow.artifacts.load_dict(f"runs:/{version.run_id}/artifacts/metadata.json")
    return {
        "version": f"{MODEL_NAME}/{version.version}",
        "metrics": metadata["metrics"],
        "slices": metadata.get("slice_metrics", {}),
    }


def _unreadable(root: Path, error: Exception) -> str:
    return f"cannot read the {PRODUCTION} alias from {describe_uri(tracking_uri(root))}: {error}"


def init_store(root: Path = Path()) -> str:
    """Create the embedded store now, so the first `make train` skips its migrations.

    `make setup` calls this: creating MLflow's schema takes seconds. A configured server
    or store is left alone.
    """
    if os.environ.get("MLFLOW_TRACKING_URI"):
        return f"tracking to {describe_uri(os.environ['MLFLOW_TRACKING_URI'])}: nothing to create"
    connect(root).search_experiments(max_results=1)
    return f"the embedded MLflow store is ready in {TRACKING_DIR}/"


if __name__ == "__main__":
    print(init_store())
