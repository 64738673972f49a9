"""Helpers the tests share: a GraphQL client over real HTTP, and settings for a running sandbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import aiohttp

from gateway.config import Settings
from gateway.policy.clock import OSLO
from sandbox import Sandbox

# Tests stand on a fixed day so ages and validity do not drift with the calendar.
TEST_NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=OSLO)


@dataclass
class GatewayClient:
    """Talks to a running gateway the way a frontend does: HTTP POST /graphql with a bearer token."""

    url: str
    http: aiohttp.ClientSession

    async def token(self, pid: str, acr: str = "idporten-loa-high") -> str:
        async with self.http.post(f"{self.url}/demo/token", json={"pid": pid, "acr": acr}) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["access_token"]

    async def service_token(self, client_id: str = "federation-test", scope: str = "person:read") -> str:
        async with self.http.post(f"{self.url}/demo/token", json={"client_id": client_id, "scope": scope}) as resp:
            assert resp.status == 200, await resp.text()
            return (await resp.json())["access_token"]

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        as_pid: str | None = None,
    ) -> dict[str, Any]:
        if as_pid is not None:
            token = await self.token(as_pid)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        ) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


def settings_for(sandbox: Sandbox, **overrides: Any) -> Settings:
    urls = {f"{name}_url": url for name, url in sandbox.urls.items()}
    return Settings(**{"demo": True, **urls, **overrides})


def redis_url_or_skip() -> str:
    """REDIS_URL for tests that need a real Redis: skipped on a laptop without one, never in CI."""
    import os

    import pytest

    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set in CI: .ci/run must start Redis and export it")
        pytest.skip("set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the Redis tests")
    return url
