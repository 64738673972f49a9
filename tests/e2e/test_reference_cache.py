"""Reference data (Practitioner, Organization, Location) kept across requests, as the FHIR servers
allow (Cache-Control max-age), revalidated with If-None-Match; personal data never kept."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from gateway.app import build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.events import MemoryEventBus
from gateway.core.reference_cache import MemoryReferenceCache
from gateway.core.shared import SharedState
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import TEST_NOW, GatewayClient, gateway_for, redis_url_or_skip, settings_for

PAGE = """{ viewer { person {
  appointments(first: 50) { nodes { id location { name } practitioner { name } } }
  healthContacts(includeFormer: true) { id name organization }
} } }"""


@dataclasses.dataclass
class Kept:
    client: GatewayClient
    cache: MemoryReferenceCache


@pytest.fixture
async def kept(sandbox: Sandbox) -> AsyncIterator[Kept]:
    cache = MemoryReferenceCache()
    shared = SharedState(audit_log=MemoryAuditLog(), events=MemoryEventBus(), reference_cache=cache)
    app = build_app(settings_for(sandbox), clock=fixed_clock(TEST_NOW), shared=shared)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield Kept(GatewayClient(url, http), cache)


async def page(client: GatewayClient, sandbox: Sandbox) -> tuple[dict[str, Any], dict[str, int]]:
    token = await client.token(KARI)
    sandbox.control("appointments").counts.clear()
    sandbox.control("contacts").counts.clear()
    result = await client.execute(PAGE, token=token)
    assert "errors" not in result
    counts = {
        **sandbox.control("appointments").counts,
        **{f"contacts {k}": v for k, v in sandbox.control("contacts").counts.items()},
    }
    return result["data"], {route: n for route, n in counts.items() if n}


def expire(cache: MemoryReferenceCache) -> None:
    """As if every entry's max-age had passed (no test waits on the clock)."""
    for key, entry in list(cache._entries.items()):
        cache._entries[key] = dataclasses.replace(entry, fresh_until=0.0)


async def test_a_warm_page_fetches_no_reference_data_and_an_expired_one_revalidates(
    kept: Kept, sandbox: Sandbox
) -> None:
    cold_data, cold = await page(kept.client, sandbox)
    assert cold["GET /fhir/Location"] == 1
    warm_data, warm = await page(kept.client, sandbox)
    assert warm_data == cold_data
    assert not any(route.endswith(("Location", "Practitioner", "Organization")) for route in warm), warm
    assert not any("/{id}" in route for route in warm)

    expire(kept.cache)
    revalidated_data, revalidated = await page(kept.client, sandbox)
    assert revalidated_data == cold_data
    # One conditional read per kept location, answered 304; no search.
    assert revalidated.get("GET /fhir/Location/{id}", 0) >= 1 and "GET /fhir/Location" not in revalidated
    assert all(entry.fresh for entry in kept.cache._entries.values())


async def test_a_source_that_forbids_keeping_is_asked_every_time(kept: Kept, sandbox: Sandbox) -> None:
    sandbox.control("appointments").reference_max_age_s = 0
    for _ in range(2):
        _, calls = await page(kept.client, sandbox)
        assert calls["GET /fhir/Location"] == 1


async def test_only_reference_data_is_kept_in_redis(sandbox: Sandbox) -> None:
    url = redis_url_or_skip()
    prefix = f"t-{uuid.uuid4().hex}:"
    async with gateway_for(sandbox, redis_url=url, redis_prefix=prefix) as client:
        await page(client, sandbox)
        _, warm = await page(client, sandbox)
        assert "GET /fhir/Location" not in warm
    redis = Redis.from_url(url)
    try:
        keys = [key.decode() async for key in redis.scan_iter(match=f"{prefix}*")]
        kept = [key for key in keys if key.startswith(f"{prefix}ref:")]
        assert kept and all(key.rsplit("/", 2)[-2] in {"Practitioner", "Organization", "Location"} for key in kept)
        # Nothing of the person: no fødselsnummer in any key or value of the cache.
        for key in kept:
            assert KARI not in key and KARI.encode() not in (await redis.get(key) or b"")
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
