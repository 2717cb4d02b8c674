"""ASGI middleware: a request-size limit and per-route request metrics.

Both are plain ASGI (not `BaseHTTPMiddleware`) so the body is streamed, never buffered
twice, and so the limit can stop reading as soon as a body grows past it.
"""

import time

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..monitoring.metrics import ServiceMetrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
"""HTTP's standard methods; any other token a client sends is counted as "other", so a
client cannot add a metric series per made-up method."""


class BodySizeLimit:
    """Answer 413 to bodies over `max_bytes`, declared (Content-Length) or streamed.

    The check runs when the route first reads the body, so the error is raised after
    routing and the request metrics still know which route was asked for. An oversized
    body is refused before any of it is read.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Wrap `receive` so reading the body enforces the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        too_large = HTTPException(413, f"request body exceeds the limit of {self.max_bytes} bytes")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            # Raised inside body parsing, FastAPI passes HTTPException through to its handler.
            if declared is not None and not declared.isdigit():
                raise HTTPException(400, "invalid Content-Length header")
            if declared is not None and int(declared) > self.max_bytes:
                raise too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise too_large
            return message

        await self.app(scope, limited_receive, send)


class RequestMetrics:
    """Count requests and time them by route template (not raw path) and status code."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Observe the status code sent and the time until the response is complete."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app raises before answering, the server sends a 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.requests.labels(route=route, method=method, status=str(status)).inc()
            self.metrics.request_latency.labels(route=route).observe(time.perf_counter() - started)
