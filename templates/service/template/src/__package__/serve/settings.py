"""Service settings, read from environment variables, as containers and Kubernetes expect.

`MODEL_DIR` (default `artifacts`), or `MODEL_URI` (`models:/<name>@<alias>` or
`models:/<name>/<version>`: the registered version is downloaded from the MLflow registry at
`MLFLOW_TRACKING_URI` into `MODEL_CACHE_DIR`, default `model-cache`, and served instead),
`HOST` (default `127.0.0.1`: only this machine can call it; containers set `0.0.0.0`),
`PORT` (default 8080: REST), `GRPC_PORT` (default 8081: the protocol's gRPC service; 0 picks
a free port), `PREVIOUS_DIR` (default `contract/previous`: the previous major, served beside
this one while its callers migrate, when a major bump kept it there), `MAX_REQUEST_BYTES`
(default 1 MiB: larger bodies get 413 before they are read, bounding the memory a request can
use), `INLINE_BUDGET_MS` (default 20: a REST request this model is measured to score in that
time is scored on the event loop, a slower one on a thread; 0 always a thread; see
`dispatch.py`) and `GRACEFUL_SHUTDOWN_SECONDS` (default 20: how long in-flight requests may
finish after SIGTERM; keep it below the deployment's `terminationGracePeriodSeconds`, 30).
"""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServeSettings(BaseSettings):
    """How the service runs; each field is the environment variable of the same name."""

    model_config = SettingsConfigDict(frozen=True)

    model_dir: Path = Path("artifacts")
    model_uri: str = ""
    model_cache_dir: Path = Path("model-cache")
    previous_dir: Path = Path("contract/previous")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    grpc_port: int = Field(default=8081, ge=0, le=65535)
    max_request_bytes: int = Field(default=1 << 20, gt=0)
    inline_budget_ms: float = Field(default=20, ge=0)
    graceful_shutdown_seconds: int = Field(default=20, gt=0)
