"""Open Inference Protocol REST routes: health, metadata and inference under `/v2`.

KServe, Seldon MLServer, Triton and their clients speak this protocol, so the service can
sit behind any of their tooling. Routes exist with and without `/versions/{version}`; this
service serves one model with one version, the artifact's content hash.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..io.artifacts import Artifact
from ..meta import DISTRIBUTION, MODEL_NAME, package_version
from .binary import (
    EXTENSION,
    HEADER_LENGTH,
    header_length,
    read_request,
    wants_binary,
    write_response,
)
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

MODEL = "/v2/models/{model_name}"
VERSIONED = MODEL + "/versions/{model_version}"
INFER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/InferenceRequest"}}
        },
        "description": "One tensor per feature. With an `Inference-Header-Content-Length` "
        "header, that many bytes of this JSON followed by the tensors whose "
        "`parameters.binary_data_size` is set (the binary tensor data extension).",
    }
}
"""The body is read by hand (JSON or JSON plus binary tensors), so it is documented here."""


def _check_name(model_name: str) -> None:
    if model_name != MODEL_NAME:
        raise ModelNotFoundError(f"unknown model {model_name!r}; this server serves {MODEL_NAME!r}")


def _check_version(artifact: Artifact, model_version: str | None) -> None:
    served = artifact.metadata.version
    if model_version is not None and model_version != served:
        raise ModelNotFoundError(
            f"model {MODEL_NAME!r} has no version {model_version!r}; it serves {served!r}"
        )


def protocol_router(scorer: Scorer) -> APIRouter:
    """Build the `/v2` routes around one model state and scorer."""
    router = APIRouter(tags=["Open Inference Protocol"])
    state = scorer.state

    @router.get("/v2", response_model=ServerMetadata)
    @router.get("/v2/", response_model=ServerMetadata, include_in_schema=False)
    def server_metadata() -> ServerMetadata:
        """Describe the server."""
        return ServerMetadata(name=DISTRIBUTION, version=package_version(), extensions=[EXTENSION])

    @router.get("/v2/health/live")
    def server_live() -> dict[str, bool]:
        """Liveness: the process answers HTTP, with or without a model."""
        return {"live": True}

    @router.get("/v2/health/ready", response_model=None)
    def server_ready() -> dict[str, bool] | JSONResponse:
        """Readiness: 200 once the model is loaded, else 503 with the reason."""
        if state.artifact is None:
            return JSONResponse({"ready": False, "error": state.error}, status_code=503)
        return {"ready": True}

    def metadata(model_name: str, model_version: str | None) -> ModelMetadata:
        _check_name(model_name)
        artifact = state.require()  # no model, no versions to describe: 503 with the reason
        _check_version(artifact, model_version)
        return ModelMetadata(
            name=MODEL_NAME,
            versions=[artifact.metadata.version],
            platform=PLATFORM,
            inputs=INPUT_TENSORS,
            outputs=OUTPUT_TENSORS,
        )

    def ready(model_name: str, model_version: str | None) -> dict[str, Any] | JSONResponse:
        _check_name(model_name)
        if state.artifact is None:
            body = {"name": MODEL_NAME, "ready": False, "error": state.error}
            return JSONResponse(body, status_code=503)
        _check_version(state.artifact, model_version)
        return {"name": MODEL_NAME, "ready": True}

    async def infer(model_name: str, model_version: str | None, http: Request) -> Response:
        """Read the body (JSON, or JSON plus binary tensors), score it, answer in kind."""
        body = await http.body()
        try:
            request = read_request(body, header_length(http.headers.get(HEADER_LENGTH), len(body)))
        except ValidationError as error:  # the same 400/422 messages as any other route
            located = [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
            raise RequestValidationError(located) from None
        response = await run_in_threadpool(score, model_name, model_version, request)
        binary = wants_binary(request)
        if binary is not None and not binary:
            text = response.model_dump_json(exclude_none=True)  # pydantic-core, no dict step
            return Response(text, media_type="application/json")
        content, length = write_response(response, binary)
        return Response(
            content,
            media_type="application/octet-stream",
            headers={HEADER_LENGTH: str(length)},
        )

    def score(
        model_name: str, model_version: str | None, request: InferenceRequest
    ) -> InferenceResponse:
        _check_name(model_name)
        _check_version(state.require(), model_version)
        artifact, prediction = scorer.score(scorer.rows(lambda: inputs_to_frame(request.inputs)))
        tensors = to_tensors(prediction)
        wanted = [output.name for output in request.outputs or []] or list(tensors)
        unknown = [name for name in wanted if name not in tensors]
        if unknown:
            raise InputError(f"unknown output(s) {unknown}; this model has {list(tensors)}")
        return InferenceResponse(
            model_name=MODEL_NAME,
            model_version=artifact.metadata.version,
            id=request.id if request.id is not None else str(uuid.uuid4()),
            outputs=[tensors[name] for name in wanted],
        )

    @router.get(MODEL, response_model_exclude_none=True)
    def model_metadata(model_name: str) -> ModelMetadata:
        """Describe the model: one FP64 input tensor per feature, and the outputs."""
        return metadata(model_name, None)

    @router.get(VERSIONED, response_model_exclude_none=True)
    def model_version_metadata(model_name: str, model_version: str) -> ModelMetadata:
        """Describe one version of the model (404 if it is not the one served)."""
        return metadata(model_name, model_version)

    @router.get(MODEL + "/ready", response_model=None)
    def model_ready(model_name: str) -> dict[str, Any] | JSONResponse:
        """Model readiness: 200 when loaded, 503 with the reason when not."""
        return ready(model_name, None)

    @router.get(VERSIONED + "/ready", response_model=None)
    def model_version_ready(model_name: str, model_version: str) -> dict[str, Any] | JSONResponse:
        """Readiness of one version of the model."""
        return ready(model_name, model_version)

    @router.post(MODEL + "/infer", response_model=InferenceResponse, openapi_extra=INFER_BODY)
    async def model_infer(model_name: str, request: Request) -> Response:
        """Score a batch given as one tensor per feature."""
        return await infer(model_name, None, request)

    @router.post(VERSIONED + "/infer", response_model=InferenceResponse, openapi_extra=INFER_BODY)
    async def model_version_infer(
        model_name: str, model_version: str, request: Request
    ) -> Response:
        """Score a batch with one version of the model (404 if it is not the one served)."""
        return await infer(model_name, model_version, request)

    return router
