"""A Redis of its own, killed and started again under a running gateway: nothing lost, nothing silent.

While Redis is down a write answers success and is stored once (its live event is dropped and
counted), audited reads fail closed and the viewer's own reads work; a live subscription ends with
EVENTS_UNAVAILABLE instead of going quiet. Once Redis is back, audited reads and new subscriptions
work at once. The test waits on readiness (PING, PUBSUB NUMPAT, the WebSocket's messages), never on
the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.app import build_app
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.seed import JONAS, KARI
from tests.support import GatewayClient, LiveSubscription, require_tool, settings_for, stop_process, until

SEND = """mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id body } userErrors { code } } }"""
READ_JONAS = f'{{ person(id: "{JONAS}") {{ name {{ full }} }} }}'
OWN = "{ viewer { person { name { full } } } }"


@dataclass
class RedisServer:
    port: int
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        binary = require_tool("redis-server", "apt-get install redis-server")
        self.process = await asyncio.create_subprocess_exec(
            binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        try:
            while True:
                with contextlib.suppress(RedisError, OSError):
                    if await client.ping():
                        return
                if self.process.returncode is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.process.wait(), timeout=0.05)
        finally:
            await client.aclose()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def numpat(self) -> int:
        client = Redis.from_url(self.url)
        try:
            return int(await client.pubsub_numpat())
        finally:
            await client.aclose()


@pytest.fixture
async def redis_server(unused_tcp_port: int) -> AsyncIterator[RedisServer]:
    server = RedisServer(unused_tcp_port)
    await server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.returncode is None:
            await stop_process(server.process)


async def _listening(server: RedisServer) -> None:
    """Until the gateway's listener has joined Redis (its pattern subscription is registered)."""

    async def subscribed() -> bool:
        return await server.numpat() >= 1

    await until(subscribed)


def _send() -> dict:
    return {
        "input": {
            "personId": KARI,
            "contactId": "ct-kari-gp",
            "subject": "Under en Redis-omstart",
            "body": f"Hei {uuid.uuid4().hex[:8]}",
            "idempotencyKey": str(uuid.uuid4()),
        }
    }


def _codes(result: dict) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors", [])]


async def test_a_redis_restart_loses_nothing_and_ends_live_updates_with_a_code(
    sandbox: Sandbox, redis_server: RedisServer
) -> None:
    settings = settings_for(sandbox, redis_url=redis_server.url, redis_prefix=f"t-{uuid.uuid4().hex}:")
    async with serving(build_app(settings)) as url, aiohttp.ClientSession() as http:
        client = GatewayClient(url, http)
        token = await client.token(KARI)
        live = await LiveSubscription.open(http, url, token, KARI)
        await live.started(_listening(redis_server))

        await redis_server.kill()

        # The live subscription ends with a code: never silence.
        ended = await live.next()
        assert ended["type"] == "next" and _codes(ended["payload"]) == ["EVENTS_UNAVAILABLE"], ended
        assert (await live.next())["type"] == "complete"

        # A write is stored once and answers success; its event is dropped (no one could receive it).
        sandbox.reset()
        request = _send()
        sent = await client.execute(SEND, request, token=token)
        assert _codes(sent) == [] and sent["data"]["sendMessage"]["userErrors"] == []
        assert sent["data"]["sendMessage"]["message"]["body"] == request["input"]["body"]
        assert sandbox.control("inbox").counts["POST /threads"] == 1

        # Audited reads fail closed; the viewer's own reads need no entry and work.
        assert _codes(await client.execute(READ_JONAS, token=token)) == ["AUDIT_UNAVAILABLE"]
        assert (await client.execute(OWN, token=token))["data"]["viewer"]["person"]["name"]["full"] == "Kari Nordmann"

        # A new subscription while Redis is down is refused with the same code.
        refused = await LiveSubscription.open(http, url, token, KARI)
        assert _codes((await refused.next())["payload"]) == ["EVENTS_UNAVAILABLE"]
        await refused.close()

        await redis_server.start()

        # Back at once: the first audited read after the restart works (no stale pooled connection).
        again = await client.execute(READ_JONAS, token=token)
        assert _codes(again) == [] and again["data"]["person"]["name"]["full"] == "Jonas Nordmann"
        # And live updates: a new subscription receives the next message.
        resumed = await LiveSubscription.open(http, url, token, KARI)
        await resumed.started(_listening(redis_server))
        second = await client.execute(SEND, _send(), token=token)
        event = await resumed.next()
        assert event["type"] == "next" and "errors" not in event["payload"], event
        delivered = event["payload"]["data"]["inboxEvents"]["message"]["id"]
        assert delivered == second["data"]["sendMessage"]["message"]["id"]
        await resumed.close()
        await live.close()
