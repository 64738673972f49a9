"""gateway/app_state.py: the lifespan's one typed state, read back from a request or a WebSocket of its app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from gateway.app_state import AppState
from gateway.core.audit import MemoryAuditLog
from gateway.core.auth import DemoIssuer, TokenVerifier
from gateway.core.config import Settings
from gateway.core.events import MemoryEventBus
from gateway.core.shared import SharedState
from gateway.draining import Drain
from gateway.serving import serving
from gateway.sources import Sources

ISSUER = DemoIssuer("https://issuer.test", "health-gateway")


def app_state(session: aiohttp.ClientSession) -> AppState:
    """An app's state as a demo-mode lifespan makes it, over `session` (nothing is called upstream)."""
    return AppState(
        sources=Sources.build(session, Settings(demo=True)),
        verifier=TokenVerifier(ISSUER.key, "https://issuer.test", "health-gateway", 0),
        shared=SharedState(audit_log=MemoryAuditLog(), events=MemoryEventBus()),
        drain=Drain(delay_s=0),
        issuer=ISSUER,
    )


async def test_requests_and_websockets_read_the_state_their_lifespan_yielded() -> None:
    seen: list[AppState] = []

    async def http(request: Request) -> JSONResponse:
        seen.append(AppState.of(request))
        return JSONResponse({})

    async def websocket(ws: WebSocket) -> None:
        seen.append(AppState.of(ws))
        await ws.accept()
        await ws.close()

    async with aiohttp.ClientSession() as session:
        state = app_state(session)

        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[Mapping[str, AppState]]:
            yield state.lifespan_state()

        app = Starlette(routes=[Route("/", http), WebSocketRoute("/ws", websocket)], lifespan=lifespan)
        async with serving(app) as url:
            async with session.get(url) as resp:
                assert resp.status == 200
            async with session.ws_connect(f"{url.replace('http', 'ws', 1)}/ws") as ws:
                await ws.receive()
    assert seen == [state, state] and seen[0] is state


def test_a_request_without_the_lifespans_state_is_an_error_that_says_so() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "state": {"app": {}}})
    with pytest.raises(RuntimeError, match="lifespan"):
        AppState.of(request)
