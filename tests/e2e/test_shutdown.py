"""SIGTERM drains the gateway (gateway/draining.py): `python -m gateway serve` gets SIGTERM while a
slow request is in flight and a subscription is live.

/readyz answers 503 at once; the subscriber's WebSocket is closed with 1001 (going away) and a new one
is refused; the slow request still gets its whole answer; the process exits 0. The slow request waits
on the sandbox's message store (`latency_ms`), which is longer than the drain's delay, so it is still
in flight when uvicorn's own shutdown starts. Nothing waits on the clock: the test waits for the
request to reach the sandbox, for the 503, for the close.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import (
    INBOX_EVENTS,
    LiveSubscription,
    gateway_process,
    log_tail,
    process_environment,
    until,
    wait_until_ready,
)

SLOW = "query Slow { viewer { person { threads(first: 1) { totalCount } } } }"
# Longer than the drain's delay: the request outlasts it and is still running when uvicorn shuts down.
DELAY_S, STORE_LATENCY_MS = 2, 5_000


async def test_sigterm_drains_then_exits_0(sandbox: Sandbox, unused_tcp_port: int, tmp_path: Path) -> None:
    env = process_environment(sandbox, unused_tcp_port, GATEWAY_DEMO="true", GATEWAY_SHUTDOWN_DELAY_S=str(DELAY_S))
    url, log = f"http://127.0.0.1:{unused_tcp_port}", tmp_path / "gateway.log"
    async with gateway_process(env, log) as process, aiohttp.ClientSession() as http:
        await wait_until_ready(url, process, log, "the gateway")
        async with http.post(f"{url}/demo/token", json={"pid": KARI}) as resp:
            token = (await resp.json())["access_token"]
        live = await LiveSubscription.open(http, url, token, KARI, INBOX_EVENTS)

        store = sandbox.control("inbox")
        store.latency_ms = STORE_LATENCY_MS
        asked = store.total
        slow = asyncio.create_task(
            http.post(f"{url}/graphql", json={"query": SLOW}, headers={"Authorization": f"Bearer {token}"})
        )
        await until(lambda: store.total > asked)  # the request is in flight, waiting on the store
        process.send_signal(signal.SIGTERM)

        async def draining() -> bool:
            async with http.get(f"{url}/readyz") as resp:
                return resp.status == 503 and (await resp.json())["status"] == "draining"

        await until(draining)
        closing = await live.ws.receive(timeout=30)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), closing
        assert live.ws.close_code == 1001, (live.ws.close_code, log_tail(log))
        with pytest.raises(aiohttp.WSServerHandshakeError):  # a new subscriber goes to another replica
            await http.ws_connect(url.replace("http", "ws") + "/graphql", protocols=("graphql-transport-ws",))

        async with await slow as resp:
            assert resp.status == 200, await resp.text()
            assert (await resp.json())["data"]["viewer"]["person"]["threads"]["totalCount"] > 0
        assert await asyncio.wait_for(process.wait(), 60) == 0, log_tail(log)
    assert "draining" in log.read_text()
