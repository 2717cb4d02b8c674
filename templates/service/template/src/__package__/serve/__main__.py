"""`python -m <package>.serve`: run the service with uvicorn on `HOST`:`PORT`."""

import uvicorn

from ..monitoring.logs import configure_json_logging
from .app import create_app
from .settings import ServeSettings


def main() -> None:
    """Start the server; settings come from the environment (see `ServeSettings`)."""
    settings = ServeSettings()
    configure_json_logging()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
