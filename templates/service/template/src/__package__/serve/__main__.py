"""`python -m <package>.serve`: REST on `HOST`:`PORT`, gRPC on `HOST`:`GRPC_PORT`.

Both servers run on one event loop and share one model state, one scorer, one dispatch
(`dispatch.py`) and one metrics registry. On SIGTERM (Kubernetes, Docker, `make load-test`)
both stop accepting calls at once, let in-flight ones finish for up to
`GRACEFUL_SHUTDOWN_SECONDS`, and the process exits 0: a requested stop is not a failure.
"""

import asyncio
import gc
import signal
import socket
import sys
from types import FrameType

import uvicorn
from fastapi import FastAPI

from ..monitoring.logs import configure_json_logging
from .app import create_app
from .grpc_api import GrpcServer, start_server
from .settings import ServeSettings


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """Exit 0 on SIGTERM outside uvicorn's own handling.

    uvicorn re-raises the signal it shut down on once it is done; with the default handler
    that kills the process (exit 143) after a clean shutdown, which supervisors count as a
    crash. This handler is what uvicorn restores, so that re-raise ends here, with 0.
    """
    raise SystemExit(0)


class Server(uvicorn.Server):
    """uvicorn's server, which starts the gRPC server on its event loop and stops it with its own.

    gRPC listens first, so a taken port ends the process before anything answers.
    """

    def __init__(self, config: uvicorn.Config, app: FastAPI, settings: ServeSettings) -> None:
        super().__init__(config)
        self.service = app
        self.settings = settings
        self.grpc_server: GrpcServer | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start gRPC, then REST (the app's lifespan loads the model: gRPC health follows it)."""
        state = self.service.state
        try:
            self.grpc_server = await start_server(state.scorer, state.dispatch, self.settings)
        except OSError as error:
            sys.exit(f"error: {error}")
        try:
            await super().startup(sockets)
        except BaseException:  # uvicorn exits on a taken port or a failed lifespan
            await self.grpc_server.stop(0)
            raise

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Drain gRPC calls while uvicorn drains HTTP requests, both within the grace period."""
        grpc_stopped = (
            asyncio.ensure_future(self.grpc_server.stop(self.settings.graceful_shutdown_seconds))
            if self.grpc_server is not None
            else None
        )
        try:
            await super().shutdown(sockets)
        finally:
            if grpc_stopped is not None:
                await grpc_stopped


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
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )
    server = Server(config, app, settings)
    freeze_startup_heap()
    server.run()


if __name__ == "__main__":
    main()
