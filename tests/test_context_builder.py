"""gateway/context_builder.py: each request's context, from its token, its Accept and the app's state;
an HTTP request with a token the gateway does not accept is refused, a WebSocket is not (yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from starlette.requests import Request
from starlette.websockets import WebSocket

from gateway.app_state import AppState
from gateway.context_builder import ContextBuilder, RefusedToken
from gateway.core.auth import ANONYMOUS, PrincipalKind
from gateway.policy.clock import fixed_clock
from sandbox.seed import KARI
from tests.support import BY_ID, TEST_NOW
from tests.test_app_state import ISSUER, app_state

BUILDER = ContextBuilder(fixed_clock(TEST_NOW), recheck_s=0.5)


@pytest.fixture
async def state() -> AsyncIterator[AppState]:
    async with aiohttp.ClientSession() as session:
        yield app_state(session)


def _headers(authorization: str | None, accept: str | None) -> list[tuple[bytes, bytes]]:
    found = {"authorization": authorization, "accept": accept}
    return [(name.encode(), value.encode()) for name, value in found.items() if value is not None]


def http_request(authorization: str | None = None, accept: str | None = "application/json") -> Request:
    headers = _headers(authorization, accept)
    return Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"", "headers": headers})


def websocket(authorization: str | None = None) -> WebSocket:
    async def never() -> dict[str, object]:
        raise AssertionError("the context is built without a message")

    scope = {"type": "websocket", "path": "/graphql", "query_string": b"", "headers": _headers(authorization, None)}
    return WebSocket(scope, never, never)


async def test_a_request_with_a_persons_token_gets_her_context_over_the_apps_state(state: AppState) -> None:
    request = http_request(f"Bearer {ISSUER.person_token(KARI)}")
    ctx = await BUILDER.build(request, state)
    assert (ctx.principal.kind, ctx.principal.pid) == (PrincipalKind.PERSON, KARI)
    assert ctx.decisions.principal is ctx.principal and ctx.now == TEST_NOW
    assert (ctx.sources, ctx.audit_log, ctx.events, ctx.tracer) == (
        state.sources,
        state.shared.audit_log,
        state.shared.events,
        state.tracer,
    )
    assert ctx.request is request and ctx.recheck_s == 0.5


async def test_a_request_without_a_token_is_anonymous(state: AppState) -> None:
    assert (await BUILDER.build(http_request(), state)).principal == ANONYMOUS


@pytest.mark.parametrize(
    ("authorization", "problem"),
    [("Bearer not-a-jwt", "token is not valid"), ("Basic a2FyaTpzZWNyZXQ=", "not a Bearer token")],
)
async def test_a_request_with_a_token_not_accepted_is_refused_naming_the_problem(
    state: AppState, authorization: str, problem: str
) -> None:
    with pytest.raises(RefusedToken) as refused:
        await BUILDER.build(http_request(authorization), state)
    assert problem in refused.value.problem


async def test_a_websocket_with_a_token_not_accepted_is_not_refused_here(state: AppState) -> None:
    ctx = await BUILDER.build(websocket("Bearer not-a-jwt"), state)
    assert ctx.principal.kind is PrincipalKind.ANONYMOUS and ctx.principal.problem == "token is not valid"
    signed = await BUILDER.build(websocket(f"Bearer {ISSUER.person_token(KARI)}"), state)
    assert signed.principal.pid == KARI


@pytest.mark.parametrize(
    ("accept", "in_parts"),
    [(None, False), ("application/json", False), ("*/*", False), (BY_ID, True), ("text/event-stream", True)],
)
async def test_the_accept_says_whether_the_client_reads_an_answer_in_parts(
    state: AppState, accept: str | None, in_parts: bool
) -> None:
    assert (await BUILDER.build(http_request(accept=accept), state)).incremental_delivery is in_parts


async def test_a_websocket_always_reads_an_answer_in_parts(state: AppState) -> None:
    assert (await BUILDER.build(websocket(), state)).incremental_delivery is True
