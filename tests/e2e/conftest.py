"""Fixtures of the tests that start gateway processes: a token issuer whose key set the processes fetch,
and a Redis key prefix of the test alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from aiohttp import web
from redis.asyncio import Redis

from gateway.core.auth import DemoIssuer
from sandbox import Sandbox
from tests.support import process_environment, redis_url_or_skip

AUDIENCE = "health-gateway"


@pytest.fixture
async def jwks(aiohttp_server: Any) -> tuple[DemoIssuer, str]:
    """An issuer the test signs with, and the URL of its key set that every gateway process fetches."""
    holder: dict[str, DemoIssuer] = {}

    async def keys(request: web.Request) -> web.Response:
        return web.json_response(holder["issuer"].jwks())

    app = web.Application()
    app.router.add_get("/jwks.json", keys)
    server = await aiohttp_server(app)
    holder["issuer"] = DemoIssuer(str(server.make_url("/")).rstrip("/"), AUDIENCE)
    return holder["issuer"], str(server.make_url("/jwks.json"))


@pytest.fixture
async def redis_prefix() -> AsyncIterator[tuple[str, str]]:
    """REDIS_URL and a prefix of this test alone (an empty access log to begin with); its keys are removed after."""
    url = redis_url_or_skip()
    prefix = f"test-{uuid4().hex}:"
    yield url, prefix
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
def replica_env(sandbox: Sandbox, jwks: tuple[DemoIssuer, str], redis_prefix: tuple[str, str]) -> dict[str, str]:
    """The environment of production-mode gateway processes over the sandbox that trust `jwks` and share
    the test's Redis keys; GATEWAY_PORT is each process's own to set."""
    issuer, jwks_url = jwks
    redis_url, prefix = redis_prefix
    return process_environment(
        sandbox,
        0,
        GATEWAY_DEMO="false",
        GATEWAY_JWKS_URL=jwks_url,
        GATEWAY_ISSUER=issuer.issuer,
        GATEWAY_AUDIENCE=issuer.audience,
        GATEWAY_GRAPHIQL="false",
        REDIS_URL=redis_url,
        GATEWAY_REDIS_PREFIX=prefix,
    )
