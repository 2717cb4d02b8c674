"""ASGI middleware giving every request an id: the caller's `X-Request-ID`, or a new one.

The id is put in a context variable that the JSON log formatter reads, so every log line
of a request carries it, and it is echoed in the response so a client can quote it.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..monitoring.logs import REQUEST_ID, request_id_from

HEADER = "x-request-id"


class RequestId:
    """Set `REQUEST_ID` for the duration of a request and echo it as `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Adopt or mint the id, then run the request with it set."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(HEADER.encode())
        request_id = request_id_from(raw.decode("latin-1") if raw is not None else None)
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
