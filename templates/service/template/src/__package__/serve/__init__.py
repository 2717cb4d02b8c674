"""The HTTP service: Open Inference Protocol routes, `/predict` and `/metrics`."""

from .app import create_app
from .settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]
