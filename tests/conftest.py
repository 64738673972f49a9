"""Shared fixtures: the sandbox upstreams and the gateway, both real HTTP servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from gateway.app import build_app
from gateway.core.config import Settings
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from sandbox import Sandbox, start_sandbox
from tests.support import TEST_NOW, GatewayClient, settings_for


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with await start_sandbox() as running:
        yield running


@pytest.fixture
def gateway_settings(sandbox: Sandbox) -> Settings:
    return settings_for(sandbox, upstream_timeout_s=2.0)


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[GatewayClient]:
    app = build_app(gateway_settings, clock=fixed_clock(TEST_NOW))
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield GatewayClient(url, http)
