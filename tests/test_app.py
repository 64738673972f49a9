"""The HTTP surface besides GraphQL queries: health, readiness, metrics, demo tokens, GET, GraphiQL."""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient


async def test_healthz(gateway: GatewayClient) -> None:
    async with gateway.http.get(f"{gateway.url}/healthz") as resp:
        assert (resp.status, await resp.json()) == (200, {"status": "ok"})


async def test_readyz_names_an_unreachable_source(gateway: GatewayClient, sandbox: Sandbox) -> None:
    async with gateway.http.get(f"{gateway.url}/readyz") as resp:
        assert resp.status == 200
        assert set((await resp.json())["sources"].values()) == {"ok"}
    sandbox.control("contacts").down = True
    async with gateway.http.get(f"{gateway.url}/readyz") as resp:
        body = await resp.json()
    assert resp.status == 503
    assert body["sources"]["contacts"] == "unreachable" and body["sources"]["inbox"] == "ok"


async def test_metrics_count_operations_and_upstream_calls(gateway: GatewayClient) -> None:
    await gateway.execute("{ viewer { person { threads(first: 1) { totalCount } } } }", as_pid=KARI)
    async with gateway.http.get(f"{gateway.url}/metrics") as resp:
        text = await resp.text()
    assert resp.status == 200
    assert 'gateway_graphql_requests_total{operation="query",outcome="ok"}' in text
    assert 'gateway_upstream_requests_total{outcome="ok",source="inbox"}' in text
    assert "gateway_graphql_request_seconds_bucket" in text


async def test_queries_work_over_get(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    params = {"query": "{ viewer { id } }"}
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    async with gateway.http.get(f"{gateway.url}/graphql", params=params, headers=headers) as resp:
        assert (resp.status, await resp.json()) == (200, {"data": {"viewer": {"id": KARI}}})


async def test_graphiql_is_served_to_browsers_with_a_persona_bar(gateway: GatewayClient) -> None:
    async with gateway.http.get(f"{gateway.url}/graphql", headers={"Accept": "text/html"}) as resp:
        html = await resp.text()
    assert resp.status == 200 and "text/html" in resp.headers["content-type"]
    assert "/static/graphiql/graphiql.min.js" in html
    assert '<select id="persona"' in html and "Kari Nordmann (12848510058)" in html
    async with gateway.http.get(f"{gateway.url}/static/graphiql/graphiql.min.js") as resp:
        assert resp.status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"pid": "123"},
        {"pid": "²²²²²²²²²²²"},
        {"pid": "１２８４８５１００５８"},
        {"pid": KARI, "acr": "idporten-loa-low"},
        {"client_id": ""},
        {"something": "else"},
        [],
    ],
)
async def test_demo_token_rejects_bad_requests(gateway: GatewayClient, body: object) -> None:
    async with gateway.http.post(f"{gateway.url}/demo/token", json=body) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"] == "invalid_request"


async def test_demo_token_endpoint_publishes_its_key_set(gateway: GatewayClient) -> None:
    async with gateway.http.get(f"{gateway.url}/demo/jwks.json") as resp:
        keys = (await resp.json())["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "EC" and "d" not in keys[0]


def test_production_mode_needs_a_jwks_url() -> None:
    from gateway.app import build_app
    from gateway.core.config import Settings

    with pytest.raises(ValueError, match="GATEWAY_JWKS_URL"):
        build_app(Settings(demo=False, jwks_url=None))


async def test_readiness_reports_the_token_issuers_key_set_outside_demo_mode(
    sandbox: Sandbox, unused_tcp_port: int
) -> None:
    import aiohttp

    from gateway.app import build_app
    from gateway.serving import serving
    from tests.support import settings_for

    app = build_app(settings_for(sandbox, demo=False, jwks_url=f"http://127.0.0.1:{unused_tcp_port}/jwks.json"))
    async with serving(app) as url, aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as resp:
        body = await resp.json()
    assert (resp.status, body["jwks"]) == (503, "unreachable")
    assert set(body["sources"].values()) == {"ok"}


async def test_production_mode_has_no_demo_endpoints(sandbox: Sandbox) -> None:
    import aiohttp

    from gateway.app import build_app
    from gateway.serving import serving
    from tests.support import settings_for

    app = build_app(settings_for(sandbox, demo=False, jwks_url="http://127.0.0.1:9/jwks.json"))
    async with serving(app) as url, aiohttp.ClientSession() as http:
        async with http.post(f"{url}/demo/token", json={"pid": KARI}) as resp:
            assert resp.status in (404, 405)
        async with http.get(f"{url}/graphql", headers={"Accept": "text/html"}) as resp:
            assert '<select id="persona"' not in await resp.text()


def test_a_gateway_without_redis_loads_no_redis_client() -> None:
    """The Redis client is some 8 MB resident: a gateway that shares nothing (no REDIS_URL) never imports it."""
    import subprocess
    import sys

    program = """
import asyncio, sys
from gateway.app import build_app
from gateway.core.config import Settings
from gateway.core.shared import shared_state

async def main():
    settings = Settings(demo=True, redis_url=None)
    build_app(settings)
    async with shared_state(settings) as state:
        assert await state.redis_reachable() is None
    print(sorted(name for name in sys.modules if name == "redis" or name.startswith("redis.")))

asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
