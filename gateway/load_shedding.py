"""A cap on the GraphQL operations one process runs at once; beyond it, 503 at once.

Past what its event loop can serve, a gateway that keeps accepting work answers everything late,
and its own slowness shows up as upstream timeouts blamed on the sources. `InFlightLimit` answers
an operation over the cap with 503, `Retry-After` and a JSON error, before any work is done, so a
load balancer or a client can go elsewhere or come back. WebSocket subscriptions, health checks
and metrics are not counted.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.core.metrics import OPERATIONS_SHED
from gateway.http_media import send_error

RETRY_AFTER_S = 1
BUSY = "The gateway is busy; try again shortly."


class InFlightLimit:
    """Pure ASGI middleware: at most `max_in_flight` HTTP requests to `path` at a time."""

    def __init__(self, app: ASGIApp, max_in_flight: int, path: str = "/graphql") -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.path = path
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            OPERATIONS_SHED.inc()
            await send_error(scope, send, 503, BUSY, "OVERLOADED", [(b"retry-after", str(RETRY_AFTER_S).encode())])
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
