"""What the app's lifespan makes once and every request reads, typed: `AppState`.

Starlette copies the mapping a lifespan yields into each request's scope, where `request.state`
gives it back as untyped attributes. The lifespan (gateway/app.py) yields one `AppState` under one
key (`AppState.lifespan_state`), and `AppState.of(request)` gives it back typed, to the view, the
routes and the demo's token issuer alike, over HTTP and WebSocket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry.trace import Tracer
from starlette.requests import HTTPConnection

from gateway.core.auth import DemoIssuer, RemoteJwks, TokenVerifier
from gateway.core.shared import SharedState
from gateway.draining import Drain
from gateway.sources import Sources

# The one key of the lifespan's state; beside it a request's scope["state"] holds its own notes
# (the operation names and trace id of its access line, gateway/logs.py).
STATE_KEY = "app"


@dataclass(frozen=True)
class AppState:
    """The app's long-lived parts, made by its lifespan over the one aiohttp session."""

    sources: Sources  # the upstreams' clients
    verifier: TokenVerifier  # who is calling, from a bearer token
    shared: SharedState  # what replicas share: the access log, the event bus, persisted queries
    drain: Drain  # the process's way out: /readyz answers 503 once it starts
    # The issuer's key set, fetched outside demo mode (readiness asks whether it is at hand); None in demo mode.
    jwks: RemoteJwks | None = None
    # Demo mode's own token issuer (/demo/token, /demo/jwks.json); None outside demo mode.
    issuer: DemoIssuer | None = None
    # The spans of requests and operations (gateway/tracing.py); None: tracing is off.
    tracer: Tracer | None = None

    def lifespan_state(self) -> Mapping[str, AppState]:
        """What the lifespan yields: this, under the one key `of` reads."""
        return {STATE_KEY: self}

    @staticmethod
    def of(connection: HTTPConnection) -> AppState:
        """The app's state, as the lifespan made it, from a request or a WebSocket."""
        state = connection.scope.get("state", {}).get(STATE_KEY)
        if not isinstance(state, AppState):
            raise RuntimeError("the request has no AppState: the app's lifespan has not run")
        return state
