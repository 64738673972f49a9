"""Each request's GatewayContext (gateway/request/context.py), made from the request and the app's state.

Who is asking comes from the `Authorization` header's bearer token. Over HTTP a request that carries
a token the gateway does not accept is refused (RFC 6750: `RefusedToken`, which the view answers
with 401) whatever it asks; only a request without one is anonymous. A WebSocket is never refused
here: its token comes later, in `connection_init` (gateway/ws_sign_in.py), and the handshake's own
header, if any, only gives the connection a principal until then.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.websockets import WebSocket

from gateway.app_state import AppState
from gateway.incremental_http import negotiate
from gateway.policy.clock import Clock
from gateway.request.context import GatewayContext


class RefusedToken(Exception):
    """An HTTP request carried a bearer token the gateway does not accept; `problem` says why (never the token)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class ContextBuilder:
    """Builds the context of each HTTP request and each WebSocket connection: who is asking, the app's
    sources and shared stores, the one clock, and whether the client reads an answer in parts."""

    def __init__(self, clock: Clock, recheck_s: float) -> None:
        """`recheck_s`: how often a live subscription checks the viewer's rights again."""
        self._clock = clock
        self._recheck_s = recheck_s

    async def build(self, connection: Request | WebSocket, state: AppState) -> GatewayContext:
        """The context of `connection`; raises RefusedToken for an HTTP request with a bad token."""
        principal = await state.verifier.principal(connection.headers.get("authorization"))
        if principal.problem is not None and isinstance(connection, Request):
            raise RefusedToken(principal.problem)
        return GatewayContext(
            principal=principal,
            sources=state.sources,
            clock=self._clock,
            audit_log=state.shared.audit_log,
            events=state.shared.events,
            request=connection,
            recheck_s=self._recheck_s,
            tracer=state.tracer,
            # graphql-transport-ws carries parts as `next` messages; over HTTP, the Accept says.
            incremental_delivery=isinstance(connection, WebSocket)
            or negotiate(connection.headers.get("accept")) is not None,
        )
