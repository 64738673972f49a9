"""The gateway's HelseID tokens for the fullmakt source: bound with DPoP, fetched once after HelseID's
nonce, fetched again once when the source refuses one, a proof of its own on every call, and no call
without a token."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from gateway.sources import Sources
from gateway.sources.errors import UpstreamStatusError
from sandbox import Sandbox, consent, helseid
from sandbox.seed import ERIK, KARI, OLA
from tests.support import gateway_for, settings_for

REPRESENTATIONS = "{ viewer { representations { person { id } } } }"
CONSENT = "query($id: ID!) { person(id: $id) { consentLevel } }"


def issued(sandbox: Sandbox) -> int:
    return sandbox.apps["consent"][helseid.HELSEID].tokens_issued


def calls(sandbox: Sandbox) -> int:
    return sandbox.control("consent").total


async def test_a_gateway_fetches_its_token_at_start_and_its_requests_share_it(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox) as client:
        token = await client.token(KARI)
        results = await asyncio.gather(*(client.execute(CONSENT, {"id": KARI}, token=token) for _ in range(10)))
    assert all(result == {"data": {"person": {"consentLevel": "FULL"}}} for result in results), results[0]
    assert issued(sandbox) == 1


async def test_a_refused_token_is_replaced_once_and_the_call_made_again(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox) as client:
        assert await client.execute(CONSENT, {"id": KARI}, as_pid=KARI) == {
            "data": {"person": {"consentLevel": "FULL"}}
        }
        # The kept token is void, as if expired, and HelseID wants a new nonce.
        sandbox.apps["consent"][helseid.HELSEID].rotate()
        before = sandbox.control("consent").counts[consent.CONSENTS_ROUTE]
        assert await client.execute(CONSENT, {"id": KARI}, as_pid=KARI) == {
            "data": {"person": {"consentLevel": "FULL"}}
        }
        assert sandbox.control("consent").counts[consent.CONSENTS_ROUTE] == before + 2  # refused, then taken
        assert issued(sandbox) == 2


async def test_without_a_token_the_fullmakt_source_is_not_called(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox, helseid_client_id="not-registered") as client:
        result = await client.execute(REPRESENTATIONS, as_pid=ERIK)
    assert {(e["extensions"]["code"], e["extensions"].get("source")) for e in result["errors"]} == {
        ("UPSTREAM_UNAVAILABLE", "consent")
    }
    assert calls(sandbox) == 0
    assert "access_token" not in str(result) and "assertion" not in str(result)


async def test_the_client_proves_each_call_and_a_replayed_proof_is_refused(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    sent: list[tuple[str, str, dict[str, str]]] = []

    async def record(_: Any, __: SimpleNamespace, params: aiohttp.TraceRequestStartParams) -> None:
        sent.append((params.method, str(params.url), dict(params.headers)))

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(record)
    async with aiohttp.ClientSession(trace_configs=[tracing]) as traced:
        sources = Sources.build(traced, settings_for(sandbox))
        await sources.consent.consents_by_ids([KARI, OLA])
        given = await sources.consent.proxies_by_grantees([KARI, ERIK])
    assert {(p.grantor, p.grantee) for p in given} >= {(OLA, KARI), (OLA, ERIK)}
    calls_made = [(method, url, headers) for method, url, headers in sent if helseid.ISSUER_PATH not in url]
    assert len(calls_made) == 3 and len({headers["DPoP"] for _, _, headers in calls_made}) == 3
    method, url, headers = calls_made[0]
    async with session.request(method, url, headers=headers) as replayed:  # the same proof again
        assert replayed.status == 401
        assert 'error="invalid_dpop_proof"' in replayed.headers["WWW-Authenticate"]


async def test_the_consent_client_without_a_helseid_client_is_refused(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    without = Sources.build(session, settings_for(sandbox, helseid_token_url=None)).consent
    with pytest.raises(UpstreamStatusError) as refused:
        await without.consents_by_ids([KARI])
    assert (refused.value.status, refused.value.detail) == (401, "HTTP 401 invalid_token")


async def test_a_demo_gateway_with_no_client_registers_one_with_the_sandbox_s_helseid(sandbox: Sandbox) -> None:
    """`gateway serve` in demo mode beside `python -m sandbox` (as ../shared/peer-mesh/compare.sh runs
    them): no HelseID settings, so it makes a client and registers it over HTTP."""
    unset = dict.fromkeys(("helseid_token_url", "helseid_client_id", "helseid_key_file", "helseid_kid"))
    async with gateway_for(sandbox, **unset) as client:
        assert await client.execute(CONSENT, {"id": KARI}, as_pid=KARI) == {
            "data": {"person": {"consentLevel": "FULL"}}
        }
    assert "health-gateway-demo" in sandbox.apps["consent"][helseid.HELSEID].clients
