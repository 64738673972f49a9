"""`python -m gateway serve --workers 2`: two processes on one port, sharing events and the access log through Redis.

The command runs as a person would start it, against the sandbox upstreams of the test process,
trusting an issuer whose key set the test serves (demo mode is refused with more than one worker).
Which worker holds a connection is read from /proc: the server end of the connection in
/proc/net/tcp, and the worker process (a child of the supervisor) whose file descriptors include
that socket. The test opens WebSocket connections until it holds one on each worker, then shows:

- the access log: Kari reads Ola (by fullmakt) through one worker, Ola finds that read in his log
  through the other;
- inbox events: a message Kari sends through one worker reaches her subscription on the other.

GraphQL queries and mutations run over the same graphql-transport-ws connections, so each is known to
run in the worker that holds its connection. Nothing waits on the clock: the gateway is awaited
through /readyz and a subscription through probe events published into Redis until one arrives, as in
test_replicas.py; the time limits only stop a hung test.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from redis.asyncio import Redis

from gateway.core.auth import DemoIssuer
from gateway.core.events import InboxEventKind, InboxEventRecord
from gateway.core.on_redis.events import RedisEventBus
from sandbox.seed import KARI, OLA
from tests.support import (
    READY_WITHIN_S,
    fail_if_exited,
    gateway_process,
    log_tail,
    next_ws_message,
    wait_until_ready,
)

pytestmark = pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="tells the workers apart through /proc (Linux)"
)

WORKERS = 2
# Guards against hanging, never measures of speed: generous, so that a loaded machine is slow rather than failing.
REPLY_WITHIN_S = 60.0
PROBE_WAITS_S = (0.5, 1.0, 2.0, 4.0, *(8.0,) * 7)
KARI_THREAD = "th-kari-001"

LIVE = """subscription Live($p: ID!) { inboxEvents(personId: $p) { kind at message { id body } } }"""
SEND = """mutation Send($input: SendMessageInput!) { sendMessage(input: $input) {
  message { id body } userErrors { code } } }"""
READ_OLA = f'query ReadOla {{ person(id: "{OLA}") {{ healthContacts {{ name }} }} }}'
OWN_LOG = """query OwnLog { viewer { person { accessLog(first: 10) {
  totalCount nodes { actorId basis services operationName } } } } }"""


class Workers:
    """The worker processes under one `serve --workers` supervisor, and which of them holds a connection."""

    def __init__(self, supervisor: int, port: int) -> None:
        self.supervisor, self.port = supervisor, port

    def children(self) -> set[int]:
        """The supervisor's child processes: its workers (and multiprocessing's resource tracker)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):  # a process that ended while we looked
                # The fields after the command name, which may itself hold spaces or parentheses.
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == self.supervisor:
                    found.add(int(entry.name))
        return found

    def holding(self, ws: aiohttp.ClientWebSocketResponse) -> int:
        """The worker process that holds the server end of this (accepted, answered) connection."""
        client_port = ws.get_extra_info("sockname")[1]
        inode = _server_socket_inode(self.port, client_port)
        for pid in self.children():
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        if os.readlink(fd) == f"socket:[{inode}]":
                            return pid
        pytest.fail(f"no child of {self.supervisor} holds the connection from port {client_port} (inode {inode})")


def _server_socket_inode(server_port: int, client_port: int) -> int:
    """The inode of the gateway's end of the loopback connection from `client_port`, from /proc/net/tcp."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote and int(fields[9]):
            return int(fields[9])
    pytest.fail(f"no accepted connection 127.0.0.1:{client_port} -> 127.0.0.1:{server_port} in /proc/net/tcp")


def _running(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


async def _connect(http: aiohttp.ClientSession, url: str, token: str) -> aiohttp.ClientWebSocketResponse:
    """A graphql-transport-ws connection signed in with `token`, acknowledged by the worker that accepted it."""
    ws = await http.ws_connect(url.replace("http://", "ws://", 1) + "/graphql", protocols=("graphql-transport-ws",))
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    ack = await next_ws_message(ws)
    assert ack["type"] == "connection_ack", ack
    return ws


async def _on_each_worker(
    http: aiohttp.ClientSession,
    url: str,
    token: str,
    workers: Workers,
    process: asyncio.subprocess.Process,
    log: Path,
) -> dict[int, aiohttp.ClientWebSocketResponse]:
    """One connection held by each worker: the kernel hands each new connection to one of them, so connect
    until every worker holds one (a worker still starting takes none). Connections to a worker already
    held are closed."""
    held: dict[int, aiohttp.ClientWebSocketResponse] = {}
    deadline = time.monotonic() + READY_WITHIN_S
    while len(held) < WORKERS:
        ws = await _connect(http, url, token)
        pid = workers.holding(ws)
        if pid not in held:
            held[pid] = ws
            continue
        await ws.close()
        if time.monotonic() > deadline:
            pytest.fail(f"after {READY_WITHIN_S} s only worker(s) {sorted(held)} took connections:\n{log_tail(log)}")
        await fail_if_exited(process, log, "the gateway")
    return held


async def _execute(
    ws: aiohttp.ClientWebSocketResponse, op_id: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A query or mutation over the connection: its one result, error-free."""
    payload = {"query": query, "variables": variables or {}}
    await ws.send_json({"id": op_id, "type": "subscribe", "payload": payload})
    result = await next_ws_message(ws)
    assert result["type"] == "next" and result["id"] == op_id, result
    assert "errors" not in result["payload"], result
    assert await next_ws_message(ws) == {"id": op_id, "type": "complete"}
    data: dict[str, Any] = result["payload"]["data"]
    return data


async def _until_live(ws: aiohttp.ClientWebSocketResponse, bus: RedisEventBus, op_id: str) -> None:
    """Until the subscription delivers a probe (a READ event published into Redis), and so listens. Probes
    published before it listened are lost to it and every later one arrives, in order: read up to the last."""
    published: list[str] = []
    for wait_s in PROBE_WAITS_S:
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=len(published) + 1)
        await bus.publish(InboxEventRecord(InboxEventKind.READ, KARI, KARI_THREAD, None, at))
        published.append(at.isoformat())
        try:
            event = await next_ws_message(ws, wait_s)
        except TimeoutError:
            continue
        while True:
            assert event["type"] == "next" and event["id"] == op_id, event
            live = event["payload"]["data"]["inboxEvents"]
            assert live["kind"] == "READ", event
            if dt.datetime.fromisoformat(live["at"]) == at:
                return
            event = await next_ws_message(ws)
    pytest.fail(f"the subscription delivered none of {len(published)} probes")


async def test_two_workers_on_one_port_share_the_access_log_and_inbox_events(
    jwks: tuple[DemoIssuer, str],
    redis_prefix: tuple[str, str],
    replica_env: dict[str, str],
    unused_tcp_port: int,
    tmp_path: Path,
) -> None:
    issuer, _ = jwks
    redis_url, prefix = redis_prefix
    env = {**replica_env, "GATEWAY_PORT": str(unused_tcp_port)}
    url, log = f"http://127.0.0.1:{unused_tcp_port}", tmp_path / "gateway.log"
    kari, ola = issuer.person_token(KARI), issuer.person_token(OLA)
    redis = Redis.from_url(redis_url)
    bus = RedisEventBus(redis, redis, prefix)

    try:
        async with (
            gateway_process(env, log, "--workers", str(WORKERS)) as process,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REPLY_WITHIN_S)) as http,
        ):
            workers = Workers(process.pid, unused_tcp_port)
            await wait_until_ready(url, process, log, "the gateway")
            karis = await _on_each_worker(http, url, kari, workers, process, log)
            assert len(karis) == WORKERS and process.pid not in karis, (karis, process.pid)
            worker_pids = set(karis)

            # The access log: Kari's read of Ola through one worker is in Ola's log read through the other.
            ola_ws = await _connect(http, url, ola)
            ola_worker = workers.holding(ola_ws)
            [reader] = worker_pids - {ola_worker}
            before = await _execute(ola_ws, "log-1", OWN_LOG)
            assert before["viewer"]["person"]["accessLog"]["totalCount"] == 0, before
            await _execute(karis[reader], "read-ola", READ_OLA)
            after = (await _execute(ola_ws, "log-2", OWN_LOG))["viewer"]["person"]["accessLog"]
            assert after["totalCount"] == 1, after
            assert after["nodes"][0] == {
                "actorId": KARI,
                "basis": "PROXY",
                "services": ["FASTLEGE"],
                "operationName": "ReadOla",
            }

            # Inbox events: a message sent through the other worker reaches the subscription on this one.
            listener, sender = karis[ola_worker], karis[reader]
            await listener.send_json(
                {"id": "live", "type": "subscribe", "payload": {"query": LIVE, "variables": {"p": KARI}}}
            )
            await _until_live(listener, bus, "live")
            message = {
                "personId": KARI,
                "contactId": "ct-kari-gp",
                "subject": "To workers",
                "body": "Sent through one worker, heard on the other",
                "idempotencyKey": uuid4().hex,
            }
            sent = (await _execute(sender, "send", SEND, {"input": message}))["sendMessage"]
            assert sent["userErrors"] == [], sent
            event = await next_ws_message(listener)
            assert event["type"] == "next" and event["id"] == "live", event
            live = event["payload"]["data"]["inboxEvents"]
            assert live["kind"] == "NEW_MESSAGE" and live["message"] == sent["message"], event

            # SIGTERM stops the supervisor, which stops its workers: each closes its WebSockets with 1001
            # (going away, so that clients reconnect elsewhere), then a clean exit, no process left behind.
            process.terminate()
            for ws in (*karis.values(), ola_ws):
                while not ws.closed:
                    await ws.receive(timeout=REPLY_WITHIN_S)
                assert ws.close_code == 1001, (ws.close_code, log_tail(log))
            assert await asyncio.wait_for(process.wait(), timeout=REPLY_WITHIN_S) == 0, log_tail(log)
            assert _running(worker_pids) == set(), log_tail(log)
            assert "Traceback" not in log.read_text(errors="replace"), log_tail(log)
    finally:
        await redis.aclose()
