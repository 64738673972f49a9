"""Past GATEWAY_MAX_IN_FLIGHT operations at once, a request answers 503 with Retry-After at once."""

from __future__ import annotations

import asyncio

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import gateway_for, until

PAGE = "{ viewer { person { name { full } } } }"


async def test_operations_over_the_cap_are_shed_at_once_and_the_rest_answered(sandbox: Sandbox) -> None:
    # Everything runs on this one event loop: the held requests wait on the registry's 3 s timer,
    # which cannot fire before the next steps of this test have run.
    async with gateway_for(sandbox, max_in_flight=2, upstream_timeout_s=30.0) as client:
        url, http = client.url, client.http
        token = await client.token(KARI)
        sandbox.reset()
        sandbox.control("registry").latency_ms = 3000
        held = [asyncio.ensure_future(client.execute(PAGE, token=token)) for _ in range(2)]
        await until(lambda: sandbox.total_requests()["registry"] == 2)  # both in flight, waiting upstream

        headers = {"Authorization": f"Bearer {token}", "Accept": "application/graphql-response+json"}
        async with http.post(f"{url}/graphql", json={"query": PAGE}, headers=headers) as resp:
            body = await resp.json(content_type=None)
        assert (resp.status, resp.headers["Retry-After"]) == (503, "1")
        assert [e["extensions"]["code"] for e in body["errors"]] == ["OVERLOADED"]
        async with http.get(f"{url}/healthz") as health:  # not counted
            assert health.status == 200

        for result in await asyncio.gather(*held):  # the held ones are answered in full
            assert result["data"]["viewer"]["person"]["name"]["full"] == "Kari Nordmann"
        sandbox.control("registry").latency_ms = 0
        assert "errors" not in await client.execute(PAGE, token=token)  # below the cap again
