"""A cap on the size of a request body, enforced before the body is read in full.

Strawberry reads a whole body into memory before it looks at it, so without a cap a client decides
how much memory a request takes. `BodyLimit` refuses a body larger than the cap with 413 and a JSON
error: at once when `Content-Length` announces it, else as soon as the bytes received pass the cap
(a chunked body). A body within the cap is passed on unchanged.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http_media import send_error


class BodyLimit:
    """Pure ASGI middleware: HTTP requests whose body exceeds `max_bytes` answer 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        announced = headers.get("content-length")
        if announced is not None and announced.isdigit() and int(announced) > self.max_bytes:
            await self._refuse(scope, send)
            return
        # Read the body here, up to the cap, and hand it on as one message: the app reads it whole anyway.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(scope, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        # The rest of the body is not read: the connection cannot carry another request.
        await send_error(scope, send, 413, message, "BAD_REQUEST", [(b"connection", b"close")])


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: a disconnect, when it comes

    return replay
