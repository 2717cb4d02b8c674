"""The protocol's operations, shared by the REST routes and the gRPC service.

Both transports turn their request into the same payloads (`protocol.py`) and call these
functions, so a request is checked, scored, counted and logged the same way whichever way
it arrived; only the framing differs.
"""

import uuid

from ..io.artifacts import Artifact
from ..meta import DISTRIBUTION, MODEL_NAME, package_version
from .binary import EXTENSION
from .errors import InputError, ModelNotFoundError
from .predictions import OUTPUT_TENSORS, to_tensors
from .protocol import (
    INPUT_TENSORS,
    PLATFORM,
    InferenceRequest,
    InferenceResponse,
    ModelMetadata,
    ServerMetadata,
    inputs_to_frame,
)
from .scoring import Scorer
from .state import ModelState


def check_name(model_name: str) -> None:
    """Raise a 404 for any model but the one this service serves."""
    if model_name != MODEL_NAME:
        raise ModelNotFoundError(f"unknown model {model_name!r}; this server serves {MODEL_NAME!r}")


def check_version(artifact: Artifact, model_version: str | None) -> None:
    """Raise a 404 for a version other than the served one; None means "the served one".

    The served one answers to each of its names: its registry version when it came from
    the registry (`MODEL_URI`), and its content hash.
    """
    if model_version is not None and model_version not in artifact.versions:
        raise ModelNotFoundError(
            f"model {MODEL_NAME!r} has no version {model_version!r}; it serves {artifact.versions}"
        )


def server_metadata() -> ServerMetadata:
    """Describe the server."""
    return ServerMetadata(name=DISTRIBUTION, version=package_version(), extensions=[EXTENSION])


def model_metadata(state: ModelState, model_name: str, model_version: str | None) -> ModelMetadata:
    """Describe the model; no model, no versions to describe: 503 with the reason."""
    check_name(model_name)
    artifact = state.require()
    check_version(artifact, model_version)
    return ModelMetadata(
        name=MODEL_NAME,
        versions=artifact.versions,
        platform=PLATFORM,
        inputs=INPUT_TENSORS,
        outputs=OUTPUT_TENSORS,
    )


def model_ready(state: ModelState, model_name: str, model_version: str | None) -> bool:
    """Whether the named model (and version, if given) is loaded; 404 for another model."""
    check_name(model_name)
    if state.artifact is None:
        return False
    check_version(state.artifact, model_version)
    return True


def infer(
    scorer: Scorer, model_name: str, model_version: str | None, request: InferenceRequest
) -> InferenceResponse:
    """Score one request; its outputs are the ones it names, or all of them."""
    check_name(model_name)
    check_version(scorer.state.require(), model_version)
    with scorer.lock:
        artifact, prediction = scorer.score(scorer.rows(lambda: inputs_to_frame(request.inputs)))
        tensors = to_tensors(prediction)
    wanted = [output.name for output in request.outputs or []] or list(tensors)
    unknown = [name for name in wanted if name not in tensors]
    if unknown:
        raise InputError(f"unknown output(s) {unknown}; this model has {list(tensors)}")
    return InferenceResponse(
        model_name=MODEL_NAME,
        model_version=artifact.version,
        id=request.id if request.id is not None else str(uuid.uuid4()),
        outputs=[tensors[name] for name in wanted],
    )
