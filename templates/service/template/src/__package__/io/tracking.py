"""Experiment tracking and the model registry (MLflow), at the edge of training.

Every `make train` records a run: parameters, held-out, baseline and slice metrics, the
data's fingerprint and source, the commit, the lockfile hash and the quality gate's
verdict, with the artifact folder and the model (its signature derived from the feature
schema). A model that passes the gate becomes a registered version named after the
project, aliased `candidate`; `make promote` moves `production` to it.

With no `MLFLOW_TRACKING_URI` the store is embedded: a SQLite file and an artifact folder
under `mlruns/` (git-ignored), so this works offline with no server; set the variable to
point the same code at a team server. mlflow is imported here only, and only by the jobs
that track, so the service and the test suite never pay for it.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..meta import MODEL_NAME

TRACKING_DIR: Final = Path("mlruns")
"""The embedded store: `mlflow.db` (runs and registry) and `artifacts/` (run files)."""

RECORD_FILE: Final = "tracking.json"
"""Written next to the artifact: which run and registered version it is."""

RUN_ARTIFACTS: Final = "artifacts"
"""Where a run keeps the artifact folder: the evaluated bytes a registered version serves."""

MODEL_SHA_TAG: Final = "model.sha256"
"""The run tag `make train` sets: the SHA-256 of the model file it evaluated."""

CANDIDATE: Final = "candidate"
PRODUCTION: Final = "production"

_UNSAFE = re.compile(r"[^\w\-. /]")


class TrackingError(Exception):
    """The tracking server or store failed; nothing was registered."""


@dataclass(frozen=True)
class TrackedRun:
    """Where a trained artifact was recorded, written to `artifacts/tracking.json`."""

    run_id: str
    model_uri: str
    registered_version: str | None
    registry: str | None = None
    """The team registry (`MLFLOW_TRACKING_URI`, without credentials) the version is in; None
    for the embedded store, whose version numbers mean nothing outside this checkout."""
    model_sha256: str | None = None
    """The model file the run recorded, so the record is never read for another model."""

    def served_version(self, model_sha256: str) -> str | None:
        """The registry version a folder holding model `model_sha256` is, when it is one.

        The image CD builds carries `artifacts/` with this record: the service then reports
        the team registry's version of the model it serves, as if fetched by `MODEL_URI`.
        """
        if self.registry is None or self.model_sha256 != model_sha256:
            return None
        return self.registered_version

    def save(self, directory: Path) -> None:
        """Record the run next to the artifact, so `make promote` knows what to move."""
        (directory / RECORD_FILE).write_text(json.dumps(self.__dict__, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> "TrackedRun | None":
        """The run that made the artifact in `directory`, or None when it was not tracked."""
        path = directory / RECORD_FILE
        return cls(**json.loads(path.read_text())) if path.is_file() else None


def embedded_uri(root: Path = Path()) -> str:
    """The SQLite store inside the project; its folder is created on first use."""
    (root / TRACKING_DIR).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(root / TRACKING_DIR / 'mlflow.db').resolve()}"


def tracking_uri(root: Path = Path()) -> str:
    """`MLFLOW_TRACKING_URI` when set, else the embedded SQLite store under `mlruns/`."""
    return os.environ.get("MLFLOW_TRACKING_URI") or embedded_uri(root)


def team_registry() -> str | None:
    """`MLFLOW_TRACKING_URI` without credentials, or None for the embedded store."""
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    return describe_uri(uri) if uri else None


def describe_uri(uri: str) -> str:
    """The URI without credentials, for logs and messages."""
    return re.sub(r"//[^/@]*@", "//", uri)


def metric_key(*parts: str) -> str:
    """An MLflow metric name from slice and metric names that may hold any character."""
    return _UNSAFE.sub("_", ".".join(parts))


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested config → dotted parameter names with string values (what MLflow stores)."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = json.dumps(value) if isinstance(value, list | bool | None) else str(value)
    return flat


def metrics_to_log(
    metrics: dict[str, float],
    baseline: dict[str, float],
    linear: dict[str, float],
    slices: dict[str, dict[str, float]],
) -> dict[str, float]:
    """Held-out, baseline and per-slice metrics under one flat, prefixed namespace."""
    logged = {metric_key("holdout", name): value for name, value in metrics.items()}
    logged |= {metric_key("baseline", name): value for name, value in baseline.items()}
    logged |= {metric_key("linear_baseline", name): value for name, value in linear.items()}
    for slice_name, values in slices.items():
        logged |= {metric_key("slice", slice_name, name): v for name, v in values.items()}
    return logged


def experiment_id(client: Any, root: Path) -> str:
    """The project's experiment, created on first use (embedded: artifacts under mlruns/).

    A server decides where its artifacts go; so does a store the user configured.
    """
    experiment = client.get_experiment_by_name(MODEL_NAME)
    if experiment is not None:
        return str(experiment.experiment_id)
    location = None
    if client.tracking_uri == embedded_uri(root):
        location = (root / TRACKING_DIR / "artifacts").resolve().as_uri()
    return str(client.create_experiment(MODEL_NAME, artifact_location=location))
