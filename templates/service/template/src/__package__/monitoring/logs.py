"""JSON logs with a request id, and sampled, redacted request/prediction logs (JSONL).

Every log line is one JSON object carrying the id of the request it belongs to, so logs
from one request can be found together and matched with the client's `X-Request-ID`.
A sample of requests is also logged with inputs and outputs, for debugging and for
replaying production traffic (N3); features on the redaction list — by default every
feature the registry labels as personal data (see `settings.py`) — never leave the process.
The prediction log keeps every scored row's id and score, without inputs, for the
delayed-label evaluation (`make online-eval`, M2).
"""

import json
import logging
import random
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
"""The id of the request being handled; `-` outside a request."""
REDACTED: Final = "[REDACTED]"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(header: str | None) -> str:
    """Use the caller's id when it is safe to log and echo, else make a new one."""
    if header is not None and _VALID_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON; extra `fields` given to the logger are merged in."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send the root logger (and uvicorn's) to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def json_safe(value: Any) -> Any:
    """A value JSON can carry: a missing value (None, NaN, pandas NA) becomes `null`."""
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else value


def redact(rows: Sequence[Mapping[str, Any]], redacted: frozenset[str]) -> list[dict[str, Any]]:
    """Copy rows with the values of redacted features replaced."""
    return [{k: REDACTED if k in redacted else v for k, v in row.items()} for row in rows]


class RequestLog:
    """Logs a random sample of scored requests — inputs (redacted) and outputs — as JSONL."""

    def __init__(
        self,
        sample_rate: float,
        redacted: frozenset[str],
        path: Path | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.sample_rate = sample_rate
        self.redacted = redacted
        self.path = path
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._logger = logging.getLogger(f"{__name__}.requests")

    def sample(self) -> bool:
        """Decide whether this request is logged (probability `sample_rate`)."""
        return self.sample_rate > 0 and self._rng.random() < self.sample_rate

    def write(self, rows: Sequence[Mapping[str, Any]], outputs: Mapping[str, Any]) -> None:
        """Log one request's inputs (redacted) and outputs."""
        entry = {
            "time": datetime.now(UTC).isoformat(),
            "request_id": REQUEST_ID.get(),
            "inputs": redact(rows, self.redacted),
            "outputs": dict(outputs),
        }
        if self.path is None:
            self._logger.info("sampled request", extra={"fields": entry})
            return
        line = json.dumps(entry, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)


class PredictionLog:
    """Appends one JSON line per scored row: what `make online-eval` reads as it is.

    A line is `{"id": "<request id>:<row>", "request_id", "row", "time", "model_version",
    "score" | "probabilities", ...}`. `id` is what a label is joined on: a caller that sent
    `X-Request-ID: r1` labels the request's second row `r1:1`. Every row is written (a
    sample would leave most labels without a prediction); no input is, so nothing here
    needs redaction.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, rows: Sequence[Mapping[str, Any]], model_version: str) -> None:
        """Log one request's rows, in the order the request sent them."""
        request_id = REQUEST_ID.get()
        common = {"request_id": request_id, "time": datetime.now(UTC).isoformat()}
        lines = "".join(
            json.dumps(
                {"id": f"{request_id}:{row}", **common, "row": row, "model_version": model_version}
                | dict(values),
                default=str,
            )
            + "\n"
            for row, values in enumerate(rows)
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(lines)
