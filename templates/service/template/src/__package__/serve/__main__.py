"""`python -m <package>.serve`: run the service with uvicorn on `HOST`:`PORT`.

On SIGTERM (Kubernetes, Docker, `make load-test`) uvicorn stops accepting connections,
lets in-flight requests finish for up to `GRACEFUL_SHUTDOWN_SECONDS`, and the process
exits 0: a requested stop is not a failure.
"""

import signal
from types import FrameType

import uvicorn

from ..monitoring.logs import configure_json_logging
from .app import create_app
from .settings import ServeSettings


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """Exit 0 on SIGTERM outside uvicorn's own handling.

    uvicorn re-raises the signal it shut down on once it is done; with the default handler
    that kills the process (exit 143) after a clean shutdown, which supervisors count as a
    crash. This handler is what uvicorn restores, so that re-raise ends here, with 0.
    """
    raise SystemExit(0)


def main() -> None:
    """Start the server; settings come from the environment (see `ServeSettings`)."""
    settings = ServeSettings()
    configure_json_logging()
    signal.signal(signal.SIGTERM, exit_cleanly)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )


if __name__ == "__main__":
    main()
