"""The gRPC server: the inference service and standard gRPC health checking on one port.

Health (`grpc.health.v1.Health`, what Kubernetes' `grpc` probes and `grpc_health_probe`
call) reports SERVING, for the server ("") and for the inference service, exactly when
REST's `/v2/health/ready` answers 200: when a model is loaded and passed its smoke
prediction. The model state tells it on every (re)load, so `Watch` streams see changes too.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Event
from typing import Final

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ..scoring import Scorer
from ..settings import ServeSettings
from .service import SERVICE, handlers

SERVING: Final = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING: Final = health_pb2.HealthCheckResponse.NOT_SERVING
WORKERS: Final = 8
"""Threads serving calls; scoring releases the GIL in numpy and scikit-learn."""


@dataclass
class GrpcServer:
    """A started server, its port (useful when asked for port 0) and its health servicer."""

    server: grpc.Server
    port: int
    health: health.HealthServicer

    def stop(self, grace: float) -> Event:
        """Refuse new calls, let running ones finish for up to `grace` seconds."""
        self.health.enter_graceful_shutdown()
        event: Event = self.server.stop(grace)
        return event


def build_server(scorer: Scorer, settings: ServeSettings) -> GrpcServer:
    """Start serving on `settings.host`:`settings.grpc_port`; raise OSError if it cannot bind."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="grpc"),
        handlers=[handlers(scorer)],
        # The same body limit as REST's 413: larger messages are refused before decoding.
        options=[("grpc.max_receive_message_length", settings.max_request_bytes)],
    )
    checker = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)

    def publish(ready: bool) -> None:
        status = SERVING if ready else NOT_SERVING
        for service in ("", SERVICE):
            checker.set(service, status)

    scorer.state.listeners.append(publish)
    publish(scorer.state.artifact is not None)
    address = f"{settings.host}:{settings.grpc_port}"
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as error:  # grpcio reports a failed bind this way
        raise OSError(f"cannot listen for gRPC on {address}: {error}") from None
    if port == 0:  # older grpcio: 0 instead of an exception
        raise OSError(f"cannot listen for gRPC on {address}")
    server.start()
    return GrpcServer(server=server, port=port, health=checker)
