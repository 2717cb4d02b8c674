"""Open Inference Protocol REST routes: health, metadata and inference under `/v2`.

KServe, Seldon MLServer, Triton and their clients speak this protocol, so the service can
sit behind any of their tooling. Routes exist with and without `/versions/{version}`: this
model answers to its content hash (and registry version) and to its major, `v<MODEL_MAJOR>`;
after a breaking release, the previous major answers to its own (`previous.py`).
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..meta import MODEL_NAME
from . import inference
from .binary import (
    HEADER_LENGTH,
    header_length,
    read_request,
    wants_binary,
    write_response,
)
from .dispatch import Dispatch
from .errors import body_validation_error
from .protocol import InferenceResponse, ModelMetadata, ServerMetadata
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


def protocol_router(scorer: Scorer, dispatch: Dispatch) -> APIRouter:
    """Build the `/v2` routes around one model state, its scorer and where it scores."""
    router = APIRouter(tags=["Open Inference Protocol"])
    state = scorer.state

    @router.get("/v2", response_model=ServerMetadata)
    @router.get("/v2/", response_model=ServerMetadata, include_in_schema=False)
    def server_metadata() -> ServerMetadata:
        """Describe the server."""
        return inference.server_metadata()

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
        return inference.model_metadata(state, model_name, model_version)

    def ready(model_name: str, model_version: str | None) -> dict[str, Any] | JSONResponse:
        if not inference.model_ready(state, model_name, model_version):
            body = {"name": MODEL_NAME, "ready": False, "error": state.error}
            return JSONResponse(body, status_code=503)
        return {"name": MODEL_NAME, "ready": True}

    async def infer(model_name: str, model_version: str | None, http: Request) -> Response:
        """Read the body (JSON, or JSON plus binary tensors), score it, answer in kind."""
        body = await http.body()
        try:
            request = read_request(body, header_length(http.headers.get(HEADER_LENGTH), len(body)))
        except ValidationError as error:
            raise body_validation_error(error) from None
        response = await inference.dispatched_infer(
            scorer, dispatch, model_name, model_version, request
        )
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

    @router.get(MODEL, response_model_exclude_none=True)
    def model_metadata(model_name: str) -> ModelMetadata:
        """Describe the model: one FP64 input tensor per feature, and the outputs."""
        return metadata(model_name, None)

    @router.get(VERSIONED, response_model_exclude_none=True)
    def model_version_metadata(model_name: str, model_version: str) -> ModelMetadata:
        """Describe one version of the model: its inputs and outputs (404 for an unknown one)."""
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
        """Score a batch with one version of the model (404 for an unknown one)."""
        return await infer(model_name, model_version, request)

    return router
