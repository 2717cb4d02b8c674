"""Model artifacts: the fitted pipeline (joblib) plus a `metadata.json` manifest.

The manifest makes an artifact explainable without the code that made it: which task and
features, which data (hash), which commit, which metrics, when. It also records the
pipeline file's SHA-256, so a truncated or swapped file is refused at load time instead of
being served. joblib files are pickles: only load artifacts you or your CI produced.
"""

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import joblib
from pydantic import BaseModel, ConfigDict, ValidationError

from ..meta import Task

MODEL_FILE: Final = "model.joblib"
METADATA_FILE: Final = "metadata.json"
MODEL_CARD_FILE: Final = "MODEL_CARD.md"


class ArtifactError(Exception):
    """An artifact is missing, unreadable or inconsistent with its manifest."""


class ArtifactMetadata(BaseModel):
    """What `metadata.json` records about one trained model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    task: Task
    features: list[str]
    target: str
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    data_hash: str
    git_sha: str | None
    git_dirty: bool | None
    created_at: datetime
    package_version: str
    sklearn_version: str
    model_sha256: str
    config: dict[str, Any]
    linear_baseline_metrics: dict[str, float] = {}
    slice_metrics: dict[str, dict[str, float]] = {}
    fairness_gaps: dict[str, float] = {}
    lockfile_sha256: str | None = None


@dataclass(frozen=True)
class Artifact:
    """A loaded model: the fitted pipeline and its manifest."""

    pipeline: Any
    metadata: ArtifactMetadata
    registry_version: str | None = None
    """The registered model's version it was fetched as (`MODEL_URI`); None from a folder."""

    @property
    def version(self) -> str:
        """What the service calls it: the registry version, else the content hash."""
        return self.registry_version or self.metadata.version

    @property
    def versions(self) -> list[str]:
        """Every name a client may ask for it by: the registry version, the content hash."""
        if self.registry_version is None:
            return [self.metadata.version]
        return [self.registry_version, self.metadata.version]


def git_revision(cwd: Path | None = None) -> tuple[str | None, bool | None]:
    """Return (commit SHA, whether the tree has uncommitted changes), or Nones outside git."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return sha, bool(status.strip())


def file_sha256(path: Path) -> str:
    """Hash a file in chunks, so large models do not need to fit in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_model(pipeline: Any, directory: Path) -> str:
    """Write the fitted pipeline and return its SHA-256, which the manifest must record."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MODEL_FILE
    joblib.dump(pipeline, path)
    return file_sha256(path)


def save_metadata(metadata: ArtifactMetadata, directory: Path) -> None:
    """Write the manifest next to the model, after the model itself is complete."""
    (directory / METADATA_FILE).write_text(metadata.model_dump_json(indent=2) + "\n")


def load_artifact(directory: Path) -> Artifact:
    """Load and verify an artifact; every failure is an `ArtifactError` saying what to do."""
    model_path, metadata_path = directory / MODEL_FILE, directory / METADATA_FILE
    if not model_path.is_file() or not metadata_path.is_file():
        raise ArtifactError(f"no trained model in {directory}/ (run `make train`)")
    try:
        metadata = ArtifactMetadata.model_validate_json(metadata_path.read_text())
    except (OSError, ValidationError) as error:
        raise ArtifactError(f"unreadable {metadata_path}: {error}") from error
    if file_sha256(model_path) != metadata.model_sha256:
        raise ArtifactError(f"{model_path} does not match the SHA-256 in {metadata_path}")
    try:
        pipeline = joblib.load(model_path)
    except Exception as error:  # unpickling can fail in many ways; all mean "corrupt"
        raise ArtifactError(f"cannot load {model_path}: {error!r}") from error
    return Artifact(pipeline=pipeline, metadata=metadata)
