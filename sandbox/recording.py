"""What the sandbox apps receive, recorded while a test asks for it, for checking against a contract.

    install_recording(app, "registry")     in the app's create_app: its requests can be recorded
    with recording() as received:          every request such an app in this process receives
        ...                                meanwhile, in order, as a `Received`

The tests hold every request the gateway sends to the documents in docs/contracts/
(tests/contracts/request_validation.py). Nothing is kept while no recording is open, so the
demo and the benchmarks only pay for one check of an empty list per request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from aiohttp import web

# The service an app stands for, as the gateway's SOURCES names it.
SERVICE = web.AppKey("recording_service", str)


@dataclass(frozen=True, slots=True)
class Received:
    """One request as a sandbox app received it."""

    service: str
    method: str
    origin: str  # scheme, host and port, as the client addressed the app
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes


# The recordings open now; a list, since they may nest (a fixture's and a test's own).
_open: list[list[Received]] = []


@contextlib.contextmanager
def recording() -> Iterator[list[Received]]:
    """Every request that an app with recording installed receives while the block runs."""
    received: list[Received] = []
    _open.append(received)
    try:
        yield received
    finally:
        _open.remove(received)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def recording_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _open:
        received = Received(
            service=request.app[SERVICE],
            method=request.method,
            origin=str(request.url.origin()),
            path=request.path,
            query=tuple(request.query.items()),
            headers=tuple(request.headers.items()),
            body=await request.read(),  # kept by the request, so the handler reads it again
        )
        for opened in _open:
            opened.append(received)
    return await handler(request)


def install_recording(app: web.Application, service: str) -> None:
    """Let `app`, the sandbox of `service`, record what it receives; call before the app starts.

    Its middleware goes first, so a request the control middleware answers itself (an injected
    fault) is recorded too: the gateway did send it."""
    app[SERVICE] = service
    app.middlewares.insert(0, recording_middleware)
