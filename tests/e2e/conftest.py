"""Fixtures of the tests that start gateway processes: a token issuer whose key set the processes fetch,
and a Redis key prefix of the test alone; and, for every test, the requests the sandbox received held
to their contracts (docs/contracts/)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any
from uuid import uuid4

import pytest
from aiohttp import web
from redis.asyncio import Redis

from gateway.core.auth import DemoIssuer
from sandbox import Sandbox
from sandbox.recording import recording
from tests.contracts.request_validation import broken, checked_route, summary
from tests.support import process_environment, redis_url_or_skip

AUDIENCE = "health-gateway"
# The requests held to their contract in this run, by source and route, for its summary.
CHECKED: Counter[tuple[str, str]] = Counter()


@pytest.fixture(autouse=True)
def _requests_keep_their_contracts() -> Iterator[None]:
    """Every request a sandbox app received while the test ran (the gateway's, the test's own) keeps the
    contract of its source in docs/contracts/, so that the client and the contract cannot drift apart."""
    with recording() as received:
        yield
    CHECKED.update(route for r in received if (route := checked_route(r)) is not None)
    violations = broken(received)
    assert not violations, "requests that break their contract (docs/contracts/):\n" + "\n".join(violations)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(summary(CHECKED))


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
