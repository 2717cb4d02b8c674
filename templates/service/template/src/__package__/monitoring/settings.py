"""Monitoring settings, read from environment variables like the service's own.

`MONITORING_ENABLED` (default true) switches drift tracking, input/prediction distribution
metrics and request logs off together — used to measure their overhead, or as an escape
hatch. `DRIFT_WINDOW` (default 1000 rows) and `DRIFT_MIN_ROWS` (default 200) size the
sliding window. `REQUEST_LOG_SAMPLE_RATE` (default 0.01) is the share of requests whose
inputs and predictions are logged as JSON lines to `REQUEST_LOG_PATH` (default: the
service's JSON log on stdout), with the features in `REQUEST_LOG_REDACT` (a JSON list,
default `["age", "sex"]`) replaced by `"[REDACTED]"`.
"""

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonitoringSettings(BaseSettings):
    """How the service watches its inputs and outputs; fields are environment variables."""

    model_config = SettingsConfigDict(frozen=True)

    monitoring_enabled: bool = True
    drift_window: int = Field(default=1000, gt=0, le=100_000)
    drift_min_rows: int = Field(default=200, gt=0)
    request_log_sample_rate: float = Field(default=0.01, ge=0, le=1)
    request_log_path: Path | None = None
    request_log_redact: frozenset[str] = frozenset({"age", "sex"})

    @model_validator(mode="after")
    def _window_fits(self) -> "MonitoringSettings":
        if self.drift_min_rows > self.drift_window:
            raise ValueError("DRIFT_MIN_ROWS must not exceed DRIFT_WINDOW")
        return self
