"""gateway/ws_sign_in.py: the token in graphql-transport-ws's connection_init makes the connection its
principal's, with decisions made afresh; without one the connection stays as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from gateway.app_state import AppState
from gateway.core.auth import ANONYMOUS, PrincipalKind
from gateway.policy.clock import fixed_clock
from gateway.request.context import GatewayContext
from gateway.ws_sign_in import WebSocketSignIn
from sandbox.seed import KARI
from tests.support import TEST_NOW
from tests.test_app_state import ISSUER, app_state

SIGN_IN = WebSocketSignIn()


@pytest.fixture
async def state() -> AsyncIterator[AppState]:
    async with aiohttp.ClientSession() as session:
        yield app_state(session)


def connection(state: AppState, params: dict[str, Any] | None) -> GatewayContext:
    """A connection's context as the handshake made it (no token), with `connection_init`'s payload."""
    return GatewayContext(
        principal=ANONYMOUS,
        sources=state.sources,
        clock=fixed_clock(TEST_NOW),
        audit_log=state.shared.audit_log,
        events=state.shared.events,
        connection_params=params,
    )


@pytest.mark.parametrize("key", ["Authorization", "authorization", "AUTHORIZATION"])
async def test_the_payloads_token_signs_the_connection_in_with_decisions_afresh(state: AppState, key: str) -> None:
    ctx = connection(state, {key: f"Bearer {ISSUER.person_token(KARI)}"})
    before = ctx.decisions
    await SIGN_IN.sign_in(ctx, state.verifier)
    assert (ctx.principal.kind, ctx.principal.pid) == (PrincipalKind.PERSON, KARI)
    assert ctx.decisions is not before and ctx.decisions.principal is ctx.principal
    assert ctx.loaders is ctx.decisions.loaders is not before.loaders


@pytest.mark.parametrize("params", [None, {}, {"token": "x"}, {"Authorization": 42}])
async def test_without_a_token_the_connection_stays_as_it_was(state: AppState, params: dict[str, Any] | None) -> None:
    ctx = connection(state, params)
    before = ctx.decisions
    await SIGN_IN.sign_in(ctx, state.verifier)
    assert ctx.principal == ANONYMOUS and ctx.decisions is before


async def test_a_token_not_accepted_signs_the_connection_in_as_no_one_naming_the_problem(state: AppState) -> None:
    ctx = connection(state, {"Authorization": f"Bearer {ISSUER.person_token(KARI, ttl_s=-3600)}"})
    await SIGN_IN.sign_in(ctx, state.verifier)
    assert ctx.principal.kind is PrincipalKind.ANONYMOUS and ctx.principal.problem == "token has expired"
    assert ctx.decisions.principal is ctx.principal
