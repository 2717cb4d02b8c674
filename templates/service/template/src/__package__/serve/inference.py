"""The protocol's operations, shared by the REST routes and the gRPC service.

Both transports turn their request into the same payloads (`protocol.py`) and call these
functions, so a request is checked, scored, counted and logged the same way whichever way
it arrived; only the framing differs.
"""

import uuid

from ..io.artifacts import Artifact
from ..meta import DISTRIBUTION, MODEL_NAME, package_version
from .binary import EXTENSION
from .dispatch import Dispatch
from .errors import InputError, ModelNotFoundError
from .predictions import OUTPUT_TENSORS, predict, to_tensors
from .previous import CURRENT_MAJOR, PreviousMajor
from .protocol import (
    INPUT_TENSORS,
    PLATFORM,
    InferenceRequest,
    InferenceResponse,
    ModelMetadata,
    ResponseOutput,
    ServerMetadata,
    inputs_to_frame,
)
from .scoring import Scorer
from .state import ModelState


def check_name(model_name: str) -> None:
    """Raise a 404 for any model but the one this service serves."""
    if model_name != MODEL_NAME:
        raise ModelNotFoundError(f"unknown model {model_name!r}; this server serves {MODEL_NAME!r}")


def check_version(state: ModelState, artifact: Artifact, model_version: str | None) -> None:
    """Raise a 404 for a version this model does not answer to; None means "this one".

    This model answers to each of its names: its registry version when it came from the
    registry (`MODEL_URI`), its content hash, and its major (`v<MODEL_MAJOR>`).
    """
    if model_version is not None and model_version not in [*artifact.versions, CURRENT_MAJOR]:
        raise ModelNotFoundError(
            f"model {MODEL_NAME!r} has no version {model_version!r}; "
            f"it serves {served_versions(state, artifact)}"
        )


def served_versions(state: ModelState, artifact: Artifact | None) -> list[str]:
    """Every version a client may ask for: this model's names, then the previous major's."""
    current = [] if artifact is None else [*artifact.versions, CURRENT_MAJOR]
    return current + ([] if state.previous is None else state.previous.versions)


def previous_major(state: ModelState, model_version: str | None) -> PreviousMajor | None:
    """The previous major when the client asked for one of its versions, else None."""
    previous = state.previous
    if model_version is None or previous is None or model_version not in previous.versions:
        return None
    return previous


def server_metadata() -> ServerMetadata:
    """Describe the server."""
    return ServerMetadata(name=DISTRIBUTION, version=package_version(), extensions=[EXTENSION])


def model_metadata(state: ModelState, model_name: str, model_version: str | None) -> ModelMetadata:
    """Describe the model; no model, no versions to describe: 503 with the reason."""
    check_name(model_name)
    previous = previous_major(state, model_version)
    if previous is not None:
        return previous.metadata(served_versions(state, state.artifact))
    artifact = state.require()
    check_version(state, artifact, model_version)
    return ModelMetadata(
        name=MODEL_NAME,
        versions=served_versions(state, artifact),
        platform=PLATFORM,
        inputs=INPUT_TENSORS,
        outputs=OUTPUT_TENSORS,
    )


def model_ready(state: ModelState, model_name: str, model_version: str | None) -> bool:
    """Whether the named model (and version, if given) is loaded; 404 for another model."""
    check_name(model_name)
    if previous_major(state, model_version) is not None:
        return True
    if state.artifact is None:
        return False
    check_version(state, state.artifact, model_version)
    return True


async def dispatched_infer(
    scorer: Scorer,
    dispatch: Dispatch,
    model_name: str,
    model_version: str | None,
    request: InferenceRequest,
) -> InferenceResponse:
    """`infer` under the scorer's lock, on the event loop or a thread as `dispatch` decides.

    The previous major's requests always go to a thread: its model is not the one measured.
    """
    previous = previous_major(scorer.state, model_version)
    inputs = request.inputs
    return await dispatch.run(
        scorer.state.artifact if previous is None else None,
        inputs[0].shape[0] if inputs and inputs[0].shape else 0,
        lambda: infer(scorer, model_name, model_version, request),
    )


def infer(
    scorer: Scorer, model_name: str, model_version: str | None, request: InferenceRequest
) -> InferenceResponse:
    """Score one request; its outputs are the ones it names, or all of them.

    The caller holds `scorer.lock` (`dispatched_infer` takes it).
    """
    check_name(model_name)
    previous = previous_major(scorer.state, model_version)
    if previous is not None:
        return _infer_previous(scorer, previous, request)
    check_version(scorer.state, scorer.state.require(), model_version)
    artifact, prediction = scorer.score(scorer.rows(lambda: inputs_to_frame(request.inputs)))
    return _respond(request, to_tensors(prediction), artifact.version)


def _infer_previous(
    scorer: Scorer, previous: PreviousMajor, request: InferenceRequest
) -> InferenceResponse:
    """Score with the previous major: its contract checks the inputs, its model answers.

    Counted in the service's predictions; drift and the prediction log watch this major only,
    whose features they know.
    """
    prediction = predict(previous.artifact.pipeline, previous.frame(request.inputs))
    scorer.metrics.predictions.inc(len(prediction))
    return _respond(request, to_tensors(prediction), previous.artifact.version)


def _respond(
    request: InferenceRequest, tensors: dict[str, ResponseOutput], version: str
) -> InferenceResponse:
    """The outputs the request names (all when it names none), and the version that answered."""
    wanted = [output.name for output in request.outputs or []] or list(tensors)
    unknown = [name for name in wanted if name not in tensors]
    if unknown:
        raise InputError(f"unknown output(s) {unknown}; this model has {list(tensors)}")
    return InferenceResponse(
        model_name=MODEL_NAME,
        model_version=version,
        id=request.id if request.id is not None else str(uuid.uuid4()),
        outputs=[tensors[name] for name in wanted],
    )
