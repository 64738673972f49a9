"""Signing in over a WebSocket: graphql-transport-ws carries the token in `connection_init`.

A browser cannot set headers on a WebSocket handshake, so clients (graphql-ws, Apollo Client, urql)
send the token in the `connection_init` message's payload, as `{"Authorization": "Bearer ..."}`
(the key in any case). The connection's context then becomes that principal's, and is renewed so
that no decision made for the handshake's principal outlives it. A token that is not accepted signs
the connection in as no one, with the problem noted: the connection is kept, and what needs a viewer
is refused with UNAUTHENTICATED, naming the problem (gateway/request/decisions.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.core.auth import TokenVerifier
from gateway.request.context import GatewayContext


class WebSocketSignIn:
    """Changes a graphql-transport-ws connection's context when its client signs in."""

    @staticmethod
    def authorization(connection_params: Mapping[str, object] | None) -> str | None:
        """The `Authorization` value of a `connection_init` payload (key in any case), or None."""
        found = next((v for k, v in (connection_params or {}).items() if k.lower() == "authorization"), None)
        return found if isinstance(found, str) else None

    async def sign_in(self, context: GatewayContext, verifier: TokenVerifier) -> None:
        """Make `context` the principal's its payload names; without a token it stays as it is."""
        authorization = self.authorization(context.connection_params)
        if authorization is None:
            return
        context.principal = await verifier.principal(authorization)
        context.renew()  # decisions are made for the principal the connection signed in as
