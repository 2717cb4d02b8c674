"""ASGI middleware: which request bodies the service reads, and gzip request bodies.

Stock clients differ in what they declare: `tritonclient` sends no Content-Type at all,
`curl -d` sends `application/x-www-form-urlencoded`, the binary tensor extension's
examples `application/octet-stream`. All of these bodies are JSON (binary tensors follow a
JSON header), so they are read as JSON; any other declared type is refused with 415 rather
than half-parsed into a confusing 422. `Content-Encoding: gzip` (or `deflate`, both of which
`tritonclient` can send) is decompressed here, bounded by the same byte limit as the
compressed body, so a small compressed bomb cannot expand without limit.
"""

import zlib
from email.message import Message as MimeHeader
from typing import Final

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_AS_JSON: Final = frozenset(
    {"application/json", "application/octet-stream", "application/x-www-form-urlencoded"}
)
WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""zlib's window setting for each Content-Encoding it can undo."""


def media_type(value: bytes | None) -> str | None:
    """`application/json; charset=utf-8` → `application/json`; None when not declared."""
    if value is None or not value.strip():
        return None
    header = MimeHeader()
    header["content-type"] = value.decode("latin-1")
    return header.get_content_type()


def is_json(media: str) -> bool:
    """JSON itself, a `+json` type, or one of the types clients send JSON under."""
    return media in READ_AS_JSON or (media.startswith("application/") and media.endswith("+json"))


class RequestEncoding:
    """Read undeclared bodies as JSON, refuse other types with 415, undo gzip and deflate.

    Both checks run when the route first reads the body, as `BodySizeLimit`'s does, so a GET
    is never refused over headers it does not use and the metrics know the route.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the declared type to JSON where it is read as JSON; wrap `receive`."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        media = media_type(headers.get(b"content-type"))
        encoding = headers.get(b"content-encoding", b"identity").decode("latin-1").strip().lower()
        if media is None or (media != "application/json" and is_json(media)):
            # FastAPI reads a body as JSON only when the header says so. The scope is changed
            # in place: outer middleware reads the route the router records in it.
            kept = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope["headers"] = [*kept, (b"content-type", b"application/json")]
        done = False

        async def checked_receive() -> Message:
            nonlocal done
            if media is not None and not is_json(media):
                raise HTTPException(
                    415, f"Content-Type {media!r} is not supported; send application/json"
                )
            if encoding == "identity" or done:
                return await receive()
            if encoding not in WBITS:
                raise HTTPException(
                    415, f"Content-Encoding {encoding!r} is not supported; send gzip or none"
                )
            done = True
            return {"type": "http.request", "body": await self.inflate(receive, encoding)}

        await self.app(scope, checked_receive, send)

    async def inflate(self, receive: Receive, encoding: str) -> bytes:
        """The whole decompressed body, refused past `max_bytes` or when not compressed."""
        inflater = zlib.decompressobj(WBITS[encoding])
        parts: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            more = message.get("more_body", False)
            try:
                part = inflater.decompress(message.get("body", b""), self.max_bytes - size + 1)
            except zlib.error:
                raise HTTPException(400, f"the body is not valid {encoding} data") from None
            size += len(part)
            if size > self.max_bytes or inflater.unconsumed_tail:
                raise HTTPException(
                    413, f"decompressed request body exceeds the limit of {self.max_bytes} bytes"
                )
            parts.append(part)
        if not inflater.eof:
            raise HTTPException(400, f"the body is not complete {encoding} data")
        return b"".join(parts)
