"""Serve a registered version: `MODEL_URI=models:/<name>@<alias>` or `models:/<name>/<version>`.

The registry resolves the URI to a version; the version's run holds the artifact folder
`make train` evaluated and gated (`model.joblib` and its manifest), which is downloaded to
`MODEL_CACHE_DIR` and loaded like any other folder, hash check included. The bytes served
are the bytes evaluated: the sklearn flavour MLflow also logs is a second serialization of
the pipeline, so it is read for its signature only. A version whose signature disagrees
with `core/schemas.py` is refused: this code would validate and encode its inputs under
another meaning.

Imported by the service only when `MODEL_URI` is set: it imports mlflow.
"""

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import mlflow
from mlflow.exceptions import MlflowException

from ..meta import MODEL_NAME
from .artifacts import METADATA_FILE, Artifact, ArtifactError, load_artifact
from .mlflow_store import connect, schema_inputs
from .tracking import MODEL_SHA_TAG, RUN_ARTIFACTS, describe_uri, tracking_uri

URI: Final = re.compile(r"models:/(?P<name>[^/@]+)(?:@(?P<alias>[\w-]+)|/(?P<version>\d+))")


def parse(uri: str) -> tuple[str, str | None, str | None]:
    """(name, alias, version) of a registry URI; exactly one of alias and version is set."""
    match = URI.fullmatch(uri)
    if match is None:
        raise ArtifactError(
            f"MODEL_URI {uri!r} is not models:/<name>@<alias> or models:/<name>/<version>"
        )
    if match["name"] != MODEL_NAME:
        raise ArtifactError(f"MODEL_URI names model {match['name']!r}; this is {MODEL_NAME!r}")
    return match["name"], match["alias"], match["version"]


def signature_mismatches(inputs: list[dict[str, Any]]) -> list[str]:
    """How a signature's inputs (`Schema.to_dict()`) differ from the feature schema's."""
    expected = {spec["name"]: spec for spec in schema_inputs().to_dict()}
    actual = {str(spec.get("name")): spec for spec in inputs}
    found = [f"{name} is missing" for name in expected if name not in actual]
    found += [f"{name} is not in the schema" for name in actual if name not in expected]
    for name in expected.keys() & actual.keys():
        want, got = expected[name], actual[name]
        if got.get("type") != want["type"]:
            found.append(f"{name} is {got.get('type')}, the schema's is {want['type']}")
        if got.get("required", True) != want.get("required", True):
            needed = "required" if want.get("required", True) else "optional"
            found.append(f"{name} must be {needed}")
    if not found and list(actual) != list(expected):
        found.append(f"columns in the order {list(actual)}, the schema's is {list(expected)}")
    return sorted(found)


def download(run_id: str, cache: Path) -> Path:
    """The run's artifact folder in `cache/<run id>/`, downloaded once.

    The download lands in a temporary folder renamed into place when complete, so a folder
    in the cache is never half-written; two services starting at once both succeed.
    """
    target = cache / run_id
    if (target / METADATA_FILE).is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{run_id}-", dir=cache))
    try:
        mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=RUN_ARTIFACTS, dst_path=str(staging)
        )
        try:
            (staging / RUN_ARTIFACTS).rename(target)
        except OSError:
            if not (target / METADATA_FILE).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def load_registered(uri: str, cache: Path) -> tuple[Artifact, Path]:
    """Resolve, check, download and load the version `uri` names; returns it and its folder.

    Every failure (registry unreachable, unknown alias, signature, hash) is an
    `ArtifactError` that says which registry and which version.
    """
    name, alias, number = parse(uri)
    store = describe_uri(tracking_uri())
    try:
        client = connect()
        version = (
            client.get_model_version_by_alias(name, alias)
            if alias is not None
            else client.get_model_version(name, str(number))
        )
        signature = mlflow.models.get_model_info(f"models:/{name}/{version.version}").signature
        if signature is None:
            raise ArtifactError(f"{uri} (version {version.version}) has no signature to check")
        mismatches = signature_mismatches(signature.inputs.to_dict())
        if mismatches:
            raise ArtifactError(
                f"{uri} (version {version.version}) has a signature that disagrees with "
                f"core/schemas.py: {'; '.join(mismatches)}"
            )
        if not version.run_id:
            raise ArtifactError(f"{uri} (version {version.version}) has no run to serve from")
        expected_sha = client.get_run(version.run_id).data.tags.get(MODEL_SHA_TAG)
        directory = download(version.run_id, cache)
    except (MlflowException, OSError) as error:
        raise ArtifactError(f"cannot fetch {uri} from the registry at {store}: {error}") from error
    artifact = load_artifact(directory)
    if expected_sha is not None and expected_sha != artifact.metadata.model_sha256:
        raise ArtifactError(
            f"{uri} (version {version.version}) holds model {artifact.metadata.model_sha256}, "
            f"not the {expected_sha} its run evaluated"
        )
    return replace(artifact, registry_version=str(version.version)), directory
