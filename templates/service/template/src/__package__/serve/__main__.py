"""`python -m <package>.serve`: REST on `HOST`:`PORT`, gRPC on `HOST`:`GRPC_PORT`.

Both servers share one model state, one scorer and one metrics registry. On SIGTERM
(Kubernetes, Docker, `make load-test`) both stop accepting calls at once, let in-flight
ones finish for up to `GRACEFUL_SHUTDOWN_SECONDS`, and the process exits 0: a requested
stop is not a failure.
"""

import gc
import signal
import sys
from threading import Event
from types import FrameType

import uvicorn

from ..monitoring.logs import configure_json_logging
from .app import create_app
from .grpc_api import GrpcServer, build_server
from .settings import ServeSettings


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """Exit 0 on SIGTERM outside uvicorn's own handling.

    uvicorn re-raises the signal it shut down on once it is done; with the default handler
    that kills the process (exit 143) after a clean shutdown, which supervisors count as a
    crash. This handler is what uvicorn restores, so that re-raise ends here, with 0.
    """
    raise SystemExit(0)


class Server(uvicorn.Server):
    """uvicorn's server, which starts the gRPC server's graceful stop with its own."""

    def __init__(self, config: uvicorn.Config, grpc_server: GrpcServer, grace: float) -> None:
        super().__init__(config)
        self.grpc_server = grpc_server
        self.grace = grace
        self.grpc_stopped: Event | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """On SIGTERM or Ctrl-C, drain gRPC calls while uvicorn drains HTTP requests."""
        if self.grpc_stopped is None:
            self.grpc_stopped = self.grpc_server.stop(self.grace)
        super().handle_exit(sig, frame)


def freeze_startup_heap() -> None:
    """Keep what start-up built (the imported libraries, the app) out of every later collection.

    With pandas, scikit-learn and MLflow imported the process holds about a million objects, and
    each full (generation 2) collection walked them all: 65-80 ms in which no request moved,
    which is where the slowest 1% of requests under load came from (`pnpm bench`). Frozen, they
    are never scanned again (a full collection then took ~5 ms). Garbage is collected first, so
    nothing unreachable is kept for the life of the process.
    """
    gc.collect()
    gc.freeze()


def main() -> None:
    """Start both servers; settings come from the environment (see `ServeSettings`)."""
    settings = ServeSettings()
    configure_json_logging()
    signal.signal(signal.SIGTERM, exit_cleanly)
    app = create_app(settings)
    grace = settings.graceful_shutdown_seconds
    try:
        grpc_server = build_server(app.state.scorer, settings)
    except OSError as error:
        sys.exit(f"error: {error}")
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=grace,
    )
    server = Server(config, grpc_server, grace)
    freeze_startup_heap()
    try:
        server.run()
    finally:  # also when uvicorn re-raises SIGTERM (`exit_cleanly`) or fails to start
        stopped = server.grpc_stopped or grpc_server.stop(grace)
        stopped.wait(grace + 1)


if __name__ == "__main__":
    main()
