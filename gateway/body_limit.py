"""A cap on the size of a request body, enforced before the body is read in full.

Strawberry reads a whole body into memory before it looks at it, so without a cap a client decides
how much memory a request takes. `BodyLimit` refuses a body larger than the cap with 413 and a JSON
error: at once when `Content-Length` announces it, else as soon as the bytes received pass the cap
(a chunked body). A body within the cap is passed on unchanged.

The refusal closes the connection, lingering (RFC 9112 section 9.6): the answer is sent whole, then
what the client still sends of the body is read and dropped, up to LINGER_BYTES or for LINGER_S, and
only then does the connection close. A connection closed with bytes unread is reset, and a client that
sends its whole body before it reads (Python's urllib, many SDKs) meets the reset while it sends,
never the 413 waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http_media import send_error

# Enough for a client a few MB over the cap on a fast link; a larger or endless body, or a client that
# stops sending, is cut off there. Meanwhile the request keeps its place among those in flight.
LINGER_BYTES = 4 * 1024 * 1024
LINGER_S = 5.0


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
            await self._refuse(scope, receive, send, rest_to_come=True)
            return
        # Read the body here, up to the cap, and hand it on as one message: the app reads it whole anyway.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send, rest_to_come=message.get("more_body", False))
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, *, rest_to_come: bool) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        # The rest of the body is not handed on: the connection cannot carry another request.
        close = [(b"connection", b"close")]
        if not rest_to_come:
            await send_error(scope, send, 413, message, "BAD_REQUEST", close)
            return
        # uvicorn closes the connection when the answer ends, and hands on no more of the body after that:
        # the answer's end waits until the rest is dropped.
        await send_error(scope, _left_open(send), 413, message, "BAD_REQUEST", close)
        await _drop_rest(receive)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _left_open(send: Send) -> Send:
    """`send`, with the answer's body sent in full but not ended."""

    async def send_open(message: Message) -> None:
        await send({**message, "more_body": True} if message["type"] == "http.response.body" else message)

    return send_open


async def _drop_rest(receive: Receive) -> None:
    """Read what the client still sends of the body and drop it: until its end, LINGER_BYTES or LINGER_S."""
    dropped = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_S):
            while dropped <= LINGER_BYTES:
                message = await receive()
                if not message.get("more_body", False):  # the body's end, or the client's (http.disconnect)
                    return
                dropped += len(message.get("body", b""))


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: a disconnect, when it comes

    return replay
