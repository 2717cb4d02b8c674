"""The loaded model, or the reason there is none.

The service starts even without a usable artifact, so liveness probes pass and the
reason is visible: readiness routes answer 503 with it and inference refuses to guess.
A model whose task, features or classes differ from this code's schema is refused at load
time, because serving it would silently score columns, or label probabilities, in the
wrong meaning. With a `model_uri` the artifact comes from the MLflow registry
(`io/registered_model.py`), and only then is mlflow imported. A folder `make train`
registered in a team registry (its `tracking.json`, which the image carries) is served as
that registry version.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..core import schemas
from ..core.schemas import FEATURES
from ..io.artifacts import Artifact, ArtifactError, load_artifact
from ..io.tracking import TrackedRun
from ..meta import TASK
from .errors import ModelNotReadyError
from .previous import PreviousMajor, load_previous

CLASSES = getattr(schemas, "CLASSES", None)
"""The labels, in probability-column order, for a classifier; None for a regressor."""


@dataclass
class ModelState:
    """Holds the artifact loaded from `model_dir`, or why loading it failed."""

    model_dir: Path
    model_uri: str = ""
    """A registry URI to serve instead of `model_dir` (`MODEL_URI`); empty: the folder."""
    cache_dir: Path = Path("model-cache")
    """Where registered versions are downloaded to."""
    previous_dir: Path | None = None
    """Where a previous major may be (`previous.py`); None: this major only."""
    source_dir: Path | None = None
    """The folder the loaded artifact came from (`model_dir`, or its download)."""
    artifact: Artifact | None = None
    error: str = field(default="the model has not been loaded yet")
    previous: PreviousMajor | None = None
    """The previous major, served beside this one on its versioned routes (`previous.py`)."""
    listeners: list[Callable[[bool], None]] = field(default_factory=list)
    """Told whether a model is serving after every (re)load: the gRPC health status."""

    def load(self) -> None:
        """Load the artifact, recording the failure instead of raising it."""
        try:
            artifact, source = self._fetch()
            _check_compatible(artifact)
        except ArtifactError as error:
            self.artifact, self.error = None, str(error)
        else:
            self.artifact, self.error, self.source_dir = artifact, "", source
        self.previous = None if self.previous_dir is None else load_previous(self.previous_dir)

    def _fetch(self) -> tuple[Artifact, Path]:
        if not self.model_uri:
            return registered_as(load_artifact(self.model_dir), self.model_dir), self.model_dir
        from ..io.registered_model import load_registered  # imports mlflow

        return load_registered(self.model_uri, self.cache_dir)

    def publish(self) -> None:
        """Tell every listener whether a model is serving now."""
        for listener in self.listeners:
            listener(self.artifact is not None)

    def require(self) -> Artifact:
        """Return the loaded artifact, or raise a 503 that says why there is none."""
        if self.artifact is None:
            raise ModelNotReadyError(f"model not ready: {self.error}")
        return self.artifact


def _check_compatible(artifact: Artifact) -> None:
    metadata = artifact.metadata
    if metadata.task != TASK:
        raise ArtifactError(f"artifact task is {metadata.task}; this service serves {TASK}")
    if tuple(metadata.features) != FEATURES:
        raise ArtifactError(
            f"artifact features {metadata.features} differ from the schema's {list(FEATURES)}"
        )
    fitted = getattr(artifact.pipeline, "classes_", None)
    if CLASSES is not None and (fitted is None or list(fitted) != list(CLASSES)):
        raise ArtifactError(f"artifact classes {fitted} differ from the schema's {CLASSES}")


def registered_as(artifact: Artifact, directory: Path) -> Artifact:
    """The folder's artifact with the team registry version its `tracking.json` records."""
    try:
        tracked = TrackedRun.load(directory)
    except (OSError, ValueError, TypeError):  # a torn or foreign record names no version
        return artifact
    version = None if tracked is None else tracked.served_version(artifact.metadata.model_sha256)
    return artifact if version is None else replace(artifact, registry_version=version)
