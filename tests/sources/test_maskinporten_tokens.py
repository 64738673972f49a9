"""The gateway's Maskinporten tokens for Folkeregisteret: fetched once, kept until shortly before they
expire, fetched again once when the registry refuses one, and no call to the registry without one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import aiohttp
import pytest

from gateway.sources import Sources
from gateway.sources.access_tokens import REFRESH_BEFORE_S
from gateway.sources.errors import UpstreamStatusError
from gateway.sources.maskinporten import MaskinportenTokens
from sandbox import Sandbox, maskinporten, registry
from sandbox.seed import EMMA, KARI, OLA
from tests.support import GatewayClient, gateway_for, settings_for

PERSON = "query($id: ID!) { person(id: $id) { id } }"


def issued(sandbox: Sandbox) -> int:
    return sandbox.apps["registry"][maskinporten.MASKINPORTEN].tokens_issued


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def tokens_for(
    sandbox: Sandbox, session: aiohttp.ClientSession, clock: Callable[[], float] = time.time
) -> MaskinportenTokens:
    tokens = MaskinportenTokens.configured(session, settings_for(sandbox), clock)
    assert tokens is not None
    return tokens


async def test_many_callers_at_once_share_one_fetch(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    tokens = tokens_for(sandbox, session)
    got = await asyncio.gather(*(tokens.token(registry.SCOPE, "registry") for _ in range(10)))
    assert len(set(got)) == 1 and issued(sandbox) == 1


async def test_a_gateway_fetches_its_token_at_start_and_its_requests_share_it(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox) as client:
        token = await client.token(KARI)
        results = await asyncio.gather(
            *(client.execute(PERSON, {"id": person}, token=token) for person in (KARI, EMMA) * 5)
        )
    assert all("errors" not in result for result in results)
    assert issued(sandbox) == 1


async def test_a_refused_token_is_replaced_once_and_the_call_made_again(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox) as client:
        assert await _person(client, KARI) == KARI
        sandbox.apps["registry"][maskinporten.MASKINPORTEN].rotate()  # the kept token is void, as if expired
        before = sandbox.control("registry").counts[registry.BULK_ROUTE]
        assert await _person(client, KARI) == KARI
        assert sandbox.control("registry").counts[registry.BULK_ROUTE] == before + 2  # refused, then taken
        assert issued(sandbox) == 2


async def test_without_a_token_the_registry_is_not_called(sandbox: Sandbox) -> None:
    unknown_client = {"maskinporten_client_id": "not-registered"}
    async with gateway_for(sandbox, **unknown_client) as client:
        result = await client.execute(PERSON, {"id": KARI}, as_pid=KARI)
    assert result["data"]["person"] is None
    assert {(e["extensions"]["code"], e["extensions"].get("source")) for e in result["errors"]} == {
        ("UPSTREAM_UNAVAILABLE", "registry")
    }
    assert sandbox.control("registry").counts[registry.BULK_ROUTE] == 0
    assert "access_token" not in str(result) and "assertion" not in str(result)


async def test_a_token_is_kept_until_shortly_before_it_expires(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    clock = Clock()
    tokens = tokens_for(sandbox, session, clock)
    first = await tokens.token(registry.SCOPE, "registry")
    clock.now += maskinporten.TOKEN_LIFETIME_S - REFRESH_BEFORE_S - 1
    assert await tokens.token(registry.SCOPE, "registry") == first
    clock.now += 1
    assert await tokens.token(registry.SCOPE, "registry") != first
    assert issued(sandbox) == 2


async def test_the_registry_client_sends_the_token(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    found = await Sources.build(session, settings_for(sandbox)).registry.persons_by_ids([KARI, OLA])
    assert set(found) == {KARI, OLA}
    without = Sources.build(session, settings_for(sandbox, maskinporten_token_url=None)).registry
    with pytest.raises(UpstreamStatusError) as refused:  # Freg's 401
        await without.persons_by_ids([KARI])
    assert (refused.value.status, refused.value.detail) == (401, "HTTP 401 FREG-401")


async def _person(client: GatewayClient, person: str) -> str | None:
    result = await client.execute(PERSON, {"id": person}, as_pid=KARI)
    return (result["data"]["person"] or {}).get("id")


async def test_a_demo_gateway_with_no_client_registers_one_with_the_sandbox_s_maskinporten(sandbox: Sandbox) -> None:
    """`gateway serve` in demo mode beside `python -m sandbox` (as ../shared/peer-mesh/compare.sh runs
    them): no Maskinporten settings, so it makes a client and registers it over HTTP."""
    unset = dict.fromkeys(
        ("maskinporten_token_url", "maskinporten_client_id", "maskinporten_key_file", "maskinporten_kid")
    )
    async with gateway_for(sandbox, **unset) as client:
        assert await _person(client, KARI) == KARI
    assert "health-gateway-demo" in sandbox.apps["registry"][maskinporten.MASKINPORTEN].clients
