"""Shared fixtures: the sandbox upstreams and the gateway, both real HTTP servers on loopback; and, for
every test, a look at what the gateway logged (no person, token or message body in any line)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from gateway.app import build_app
from gateway.core.config import Settings
from gateway.logs import JsonFormatter
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from sandbox import Sandbox, start_sandbox
from sandbox.seed import MESSAGES
from tests.engine.differential import TALLY, differential_executor_with_plans
from tests.support import ELEVEN_DIGITS, TEST_NOW, GatewayClient, settings_for


@pytest.fixture(autouse=True)
def _plans_checked_against_graphql_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every schema a test builds runs its plans beside graphql-core's executor (tests/engine/differential.py);
    a test whose gateway answered an operation otherwise than graphql-core would fails."""
    monkeypatch.setattr("gateway.schema.executor_with_plans", differential_executor_with_plans)
    before = len(TALLY.mismatches)
    yield
    assert TALLY.mismatches[before:] == [], "the plan answered otherwise than graphql-core:\n" + "\n".join(
        TALLY.mismatches[before:]
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    differed = len(TALLY.mismatches)
    reordered = TALLY.compared - TALLY.identical - differed
    terminalreporter.write_line(
        f"differential execution: {TALLY.compared} operations ({len(TALLY.documents)} distinct documents) run by "
        f"the plan and by graphql-core's executor: {TALLY.identical} alike to the byte, {reordered} alike with "
        f"their errors in path order, {differed} differed; {TALLY.incremental} of them answered in parts"
    )


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


# Message bodies of the seed long enough not to occur in a log line by chance.
_BODIES = tuple({m.body for m in MESSAGES if len(m.body) >= 24})


@pytest.fixture(autouse=True)
def _gateway_logs_name_no_one(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test, e2e ones included, runs with the gateway's access lines on; afterwards no line the
    gateway wrote holds a message body of the seed, and no access line holds 11 digits even before the
    formatter's mask (the mask is a last guard, not how ids are kept out)."""
    caplog.set_level(logging.INFO, logger="gateway")
    yield
    formatter = JsonFormatter()
    for record in caplog.records:
        if not record.name.startswith("gateway"):
            continue  # the sandbox's own logs are an upstream's, with ids in their URLs
        line = formatter.format(record)
        assert not any(body in line for body in _BODIES), line
        if record.name == "gateway.access":
            assert not ELEVEN_DIGITS.search(record.getMessage() + str(record.__dict__.get("path"))), line
