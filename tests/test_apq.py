"""Automatic persisted queries (Apollo's protocol) through HTTP, in one process and across replicas."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from redis.asyncio import Redis

from gateway.core.persisted_queries import MAX_DOCUMENT_BYTES, MemoryPersistedQueries
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient, gateway_for, redis_url_or_skip

QUERY = "{ viewer { person { name { full } } } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
DATA = {"viewer": {"person": {"name": {"full": "Kari Nordmann"}}}}


def persisted(sha256: str = SHA, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


async def post(client: GatewayClient, body: dict[str, Any], accept: str = "application/json") -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {await client.token(KARI)}", "Accept": accept}
    async with client.http.post(f"{client.url}/graphql", json=body, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def get(client: GatewayClient, extensions: dict[str, Any]) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {await client.token(KARI)}", "Accept": "application/json"}
    params = {"extensions": json.dumps(extensions)}
    async with client.http.get(f"{client.url}/graphql", params=params, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_miss_register_and_hit_over_post_and_get(gateway: GatewayClient) -> None:
    status, body = await post(gateway, {"extensions": persisted()})
    assert (status, codes(body), body["errors"][0]["message"]) == (
        200,
        ["PERSISTED_QUERY_NOT_FOUND"],
        "PersistedQueryNotFound",
    )
    # With the GraphQL-over-HTTP media type a request error is a 400.
    status, body = await post(gateway, {"extensions": persisted()}, accept="application/graphql-response+json")
    assert (status, codes(body)) == (400, ["PERSISTED_QUERY_NOT_FOUND"])

    assert await post(gateway, {"query": QUERY, "extensions": persisted()}) == (200, {"data": DATA})
    assert await post(gateway, {"extensions": persisted()}) == (200, {"data": DATA})
    assert await get(gateway, persisted()) == (200, {"data": DATA})


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (persisted("0" * 64), "provided sha does not match query"),
        (persisted(version=2), "Unsupported persisted query version"),
        (persisted("not-a-hash"), "sha256Hash must be 64 lower-case hex digits"),
        ({"persistedQuery": "yes"}, "must be an object"),
    ],
)
async def test_a_wrong_hash_or_version_is_refused(gateway: GatewayClient, extensions: dict, message: str) -> None:
    status, body = await post(gateway, {"query": QUERY, "extensions": extensions})
    assert (status, codes(body)) == (400, ["BAD_REQUEST"])
    assert message in body["errors"][0]["message"]


async def test_a_document_that_does_not_validate_is_not_registered(gateway: GatewayClient) -> None:
    bad = "{ viewer { nosuchfield } }"
    sha = hashlib.sha256(bad.encode()).hexdigest()
    assert codes((await post(gateway, {"query": bad, "extensions": persisted(sha)}))[1]) == [
        "GRAPHQL_VALIDATION_FAILED"
    ]
    assert codes((await post(gateway, {"extensions": persisted(sha)}))[1]) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_the_in_process_store_keeps_the_most_recently_used_and_no_huge_document() -> None:
    store = MemoryPersistedQueries(max_entries=2)
    for name in ("a", "b"):
        await store.put(name, f"{{ {name} }}")
    assert await store.get("a") == "{ a }"  # now b is the least recently used
    await store.put("c", "{ c }")
    assert (await store.get("a"), await store.get("b"), await store.get("c")) == ("{ a }", None, "{ c }")
    await store.put("d", "{ " + "x" * MAX_DOCUMENT_BYTES + " }")
    assert await store.get("d") is None


async def test_replicas_share_registered_documents_through_redis_with_a_ttl(sandbox: Sandbox) -> None:
    url = redis_url_or_skip()
    prefix = f"t-{uuid.uuid4().hex}:"
    async with (
        gateway_for(sandbox, redis_url=url, redis_prefix=prefix, apq_ttl_s=600) as a,
        gateway_for(sandbox, redis_url=url, redis_prefix=prefix, apq_ttl_s=600) as b,
    ):
        assert codes((await post(b, {"extensions": persisted()}))[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
        assert await post(a, {"query": QUERY, "extensions": persisted()}) == (200, {"data": DATA})
        assert await post(b, {"extensions": persisted()}) == (200, {"data": DATA})
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        # Only the document, under its hash: no variables, no ids, nothing of the person who sent it.
        assert keys == [f"{prefix}apq:{SHA}".encode()]
        assert await redis.get(keys[0]) == QUERY.encode()
        assert 0 < await redis.ttl(keys[0]) <= 600
        await redis.delete(*keys)
    finally:
        await redis.aclose()
