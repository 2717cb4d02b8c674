"""The gRPC server: the inference service and standard gRPC health checking on one port.

It runs on the event loop that serves REST (`grpc.aio`, started by `__main__`), so a call is
read, answered and scored exactly as a REST request is: on the loop, except that scoring
goes to a worker thread unless the model is measured to be quick (`dispatch.py`). Health
and liveness calls answer on the loop and never wait behind a slow model.

Health (`grpc.health.v1.Health`, what Kubernetes' `grpc` probes and `grpc_health_probe`
call) reports SERVING, for the server ("") and for the inference service, exactly when
REST's `/v2/health/ready` answers 200: when a model is loaded and passed its smoke
prediction. The model state tells it on every (re)load, so `Watch` streams see changes too.
"""

import asyncio
from dataclasses import dataclass
from typing import Final

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ..dispatch import Dispatch
from ..scoring import Scorer
from ..settings import ServeSettings
from .service import SERVICE, handlers

SERVING: Final = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING: Final = health_pb2.HealthCheckResponse.NOT_SERVING


@dataclass
class GrpcServer:
    """A started server, its port (useful when asked for port 0) and its health servicer."""

    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer

    async def stop(self, grace: float) -> None:
        """Refuse new calls, let running ones finish for up to `grace` seconds."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


async def start_server(scorer: Scorer, dispatch: Dispatch, settings: ServeSettings) -> GrpcServer:
    """Serve on `settings.host`:`settings.grpc_port` from the running event loop.

    Raises OSError if it cannot bind.
    """
    server = grpc.aio.server(
        handlers=[handlers(scorer, dispatch)],
        # The same body limit as REST's 413: larger messages are refused before decoding.
        options=[("grpc.max_receive_message_length", settings.max_request_bytes)],
    )
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    loop = asyncio.get_running_loop()

    async def set_status(ready: bool) -> None:
        status = SERVING if ready else NOT_SERVING
        for service in ("", SERVICE):
            await checker.set(service, status)

    def publish(ready: bool) -> None:
        # Told from whichever thread (re)loads the model; the servicer lives on the loop.
        asyncio.run_coroutine_threadsafe(set_status(ready), loop)

    await set_status(scorer.state.artifact is not None)
    address = f"{settings.host}:{settings.grpc_port}"
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as error:  # grpcio reports a failed bind this way
        raise OSError(f"cannot listen for gRPC on {address}: {error}") from None
    if port == 0:  # older grpcio: 0 instead of an exception
        raise OSError(f"cannot listen for gRPC on {address}")
    await server.start()
    scorer.state.listeners.append(publish)
    return GrpcServer(server=server, port=port, health=checker)
