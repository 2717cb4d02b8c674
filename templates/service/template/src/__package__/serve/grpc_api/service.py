"""The handlers of `inference.GRPCInferenceService`, on the same functions as the REST routes.

Each call goes through `observed`, which does for gRPC what the REST middleware does for
HTTP: it adopts the caller's `x-request-id` (metadata) for the logs, counts and times the
call in the same `requests` and `request_latency_seconds` metrics — the route is the gRPC
method's path (which is the HTTP/2 `:path` it was POSTed to) and the status the HTTP code
REST answers for the same outcome, so dashboards and alerts cover both — and turns a
`ServiceError` into the matching gRPC status with the same message REST sends.
"""

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import grpc

from ...monitoring.logs import REQUEST_ID, request_id_from
from .. import inference
from ..dispatch import Dispatch
from ..errors import ServiceError
from ..scoring import Scorer
from . import open_inference_grpc_pb2 as pb
from .tensors import to_metadata, to_request, to_response

logger = logging.getLogger(__name__)

SERVICE: Final = "inference.GRPCInferenceService"
CODES: Final = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    404: grpc.StatusCode.NOT_FOUND,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    503: grpc.StatusCode.UNAVAILABLE,
}
"""The gRPC status for each HTTP status a `ServiceError` carries; any other is INTERNAL."""


def observed(
    scorer: Scorer, method: str, handler: Callable[[Any], Any]
) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
    """Wrap one method's handler (plain, or a coroutine) with request ids, metrics and errors."""
    route = f"/{SERVICE}/{method}"
    metrics = scorer.metrics

    async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        started = time.perf_counter()
        sent = dict(context.invocation_metadata() or ()).get("x-request-id")
        request_id = request_id_from(sent if isinstance(sent, str) else None)
        token = REQUEST_ID.set(request_id)
        await context.send_initial_metadata((("x-request-id", request_id),))
        status = 500
        try:
            response = handler(request)
            if inspect.isawaitable(response):
                response = await response
            status = 200
            return response
        except ServiceError as error:
            status = error.status_code
            await context.abort(CODES.get(status, grpc.StatusCode.INTERNAL), str(error))
        except Exception as error:  # as REST: logged with its trace, a bare 500 for the client
            logger.error("unhandled error on %s", route, exc_info=error)
            await context.abort(grpc.StatusCode.INTERNAL, "internal server error")
        finally:
            metrics.requests.labels(route=route, method="POST", status=str(status)).inc()
            metrics.request_latency.labels(route=route).observe(time.perf_counter() - started)
            REQUEST_ID.reset(token)

    return call


def handlers(scorer: Scorer, dispatch: Dispatch) -> grpc.GenericRpcHandler:
    """The service's six methods, served from `scorer` and its model state.

    ModelInfer scores through REST's `dispatch`: one scoring at a time across both
    transports, on the loop or on a thread, with one measure of how quick the model is.
    """
    state = scorer.state

    async def model_infer(request: pb.ModelInferRequest) -> pb.ModelInferResponse:
        response = await inference.dispatched_infer(
            scorer, dispatch, request.model_name, request.model_version or None, to_request(request)
        )
        return to_response(response, raw=bool(request.raw_input_contents))

    def server_metadata(_: pb.ServerMetadataRequest) -> pb.ServerMetadataResponse:
        metadata = inference.server_metadata()
        return pb.ServerMetadataResponse(
            name=metadata.name, version=metadata.version, extensions=metadata.extensions
        )

    methods: dict[str, tuple[Callable[[Any], Any], Any, Any]] = {
        "ServerLive": (
            lambda _: pb.ServerLiveResponse(live=True),
            pb.ServerLiveRequest,
            pb.ServerLiveResponse,
        ),
        "ServerReady": (
            lambda _: pb.ServerReadyResponse(ready=state.artifact is not None),
            pb.ServerReadyRequest,
            pb.ServerReadyResponse,
        ),
        "ModelReady": (
            lambda request: pb.ModelReadyResponse(
                ready=inference.model_ready(state, request.name, request.version or None)
            ),
            pb.ModelReadyRequest,
            pb.ModelReadyResponse,
        ),
        "ServerMetadata": (server_metadata, pb.ServerMetadataRequest, pb.ServerMetadataResponse),
        "ModelMetadata": (
            lambda request: to_metadata(
                inference.model_metadata(state, request.name, request.version or None)
            ),
            pb.ModelMetadataRequest,
            pb.ModelMetadataResponse,
        ),
        "ModelInfer": (model_infer, pb.ModelInferRequest, pb.ModelInferResponse),
    }
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            name: grpc.unary_unary_rpc_method_handler(
                observed(scorer, name, handler),
                request_deserializer=request.FromString,
                response_serializer=response.SerializeToString,
            )
            for name, (handler, request, response) in methods.items()
        },
    )
