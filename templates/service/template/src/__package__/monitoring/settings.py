"""Monitoring settings, read from environment variables like the service's own.

`MONITORING_ENABLED` (default true) switches drift tracking, input/prediction distribution
metrics and request logs off together — used to measure their overhead, or as an escape
hatch. `DRIFT_WINDOW` (default 1000 rows) and `DRIFT_MIN_ROWS` (default 200) size the
sliding window. `REQUEST_LOG_SAMPLE_RATE` (default 0.01) is the share of requests whose
inputs and predictions are logged as JSON lines to `REQUEST_LOG_PATH` (default: the
service's JSON log on stdout), with personal data replaced by `"[REDACTED]"`: every feature
whose PII kind in the feature registry (`confs/features.yaml`, recorded in the artifact at
training) is in `REQUEST_LOG_REDACT_PII` (a JSON list; default every kind but `none`), every
feature of unknown kind, and the features named in `REQUEST_LOG_REDACT` (a JSON list).
`PREDICTION_LOG_PATH` (default: none) appends one JSON line per scored row, every row, with
its id and score and no inputs: what `make online-eval` joins with delayed labels (M2).
"""

from pathlib import Path
from typing import Final, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PiiKind = Literal["none", "quasi_identifier", "sensitive", "direct_identifier", "contact"]
PERSONAL: Final[frozenset[PiiKind]] = frozenset(
    {"quasi_identifier", "sensitive", "direct_identifier", "contact"}
)
"""Every PII kind but `none`: redacted by default, since a log outlives its purpose."""


class MonitoringSettings(BaseSettings):
    """How the service watches its inputs and outputs; fields are environment variables."""

    model_config = SettingsConfigDict(frozen=True)

    monitoring_enabled: bool = True
    drift_window: int = Field(default=1000, gt=0, le=100_000)
    drift_min_rows: int = Field(default=200, gt=0)
    request_log_sample_rate: float = Field(default=0.01, ge=0, le=1)
    request_log_path: Path | None = None
    request_log_redact_pii: frozenset[PiiKind] = PERSONAL
    request_log_redact: frozenset[str] = frozenset()
    prediction_log_path: Path | None = None

    @model_validator(mode="after")
    def _window_fits(self) -> "MonitoringSettings":
        if self.drift_min_rows > self.drift_window:
            raise ValueError("DRIFT_MIN_ROWS must not exceed DRIFT_WINDOW")
        return self
