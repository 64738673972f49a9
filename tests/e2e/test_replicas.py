"""Two gateway processes, one Redis: an inbox event published by one replica reaches the other's subscribers.

Both replicas run as `python -m gateway serve` in their own process, against the sandbox upstreams of
the test process, trusting one issuer whose key set the test serves (no demo mode: every demo process
would sign with its own key). A message sent through replica A reaches a subscriber on replica B; a
subscriber without the right to the person is refused, and one subscribed to someone else hears nothing.

Nothing here waits on the clock: a replica is awaited through /readyz, a subscription through probe events
published into Redis until it delivers one, and "hears nothing" is shown by ordering: a stream delivers
in order, so a probe published after an event is the next message only if that event was not delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from redis.asyncio import Redis, RedisCluster

from gateway.core.auth import DemoIssuer
from gateway.core.events import EventBus, InboxEventKind, InboxEventRecord
from gateway.core.on_redis import cluster_url
from gateway.core.on_redis.events import RedisEventBus, ShardedEventBus
from sandbox import Sandbox
from sandbox.inbox import STORE
from sandbox.seed import EMMA, KARI, OLA, PER
from tests.e2e.redis_cluster import redis_cluster
from tests.support import gateway_process, next_ws_message, wait_until_ready

# Guards against hanging, never measures of speed: generous, so that a loaded machine is slow rather than failing.
REPLY_WITHIN_S = 60.0
# How long one probe waits for its delivery before another is published; they add up to a minute or so.
PROBE_WAITS_S = (0.5, 1.0, 2.0, 4.0, *(8.0,) * 7)
# A thread each probed stream's viewer may read: the probe is delivered, not withheld.
KARI_THREAD, EMMA_THREAD, OLA_THREAD = "th-kari-001", "th-emma-dialog", "th-ola-timeavtale"

SEND = """mutation Send($input: SendMessageInput!) { sendMessage(input: $input) {
  thread { id } message { id body } userErrors { code } } }"""
LIVE = """subscription Live($p: ID!) {
  inboxEvents(personId: $p) { kind at thread { id subject } message { id body } } }"""


@contextlib.asynccontextmanager
async def _replicas(names: tuple[str, ...], base_env: dict[str, str], ports: Callable[[], int], logs: Path):
    """Start one gateway process per name; yield {name: base URL}; always stop them all."""
    async with contextlib.AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        started = []
        for name in names:
            port, log = ports(), logs / f"replica-{name}.log"
            process = await stack.enter_async_context(gateway_process({**base_env, "GATEWAY_PORT": str(port)}, log))
            urls[name] = f"http://127.0.0.1:{port}"
            started.append(wait_until_ready(urls[name], process, log, f"replica {name}"))
        await asyncio.gather(*started)
        yield urls


class Probes:
    """READ events the test publishes into Redis as a replica would, each told apart by its `at`."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._published = 0

    async def publish(self, subject_id: str, thread_id: str) -> dt.datetime:
        self._published += 1
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=self._published)
        await self._bus.publish(InboxEventRecord(InboxEventKind.READ, subject_id, thread_id, None, at))
        return at

    async def until_live(self, ws: aiohttp.ClientWebSocketResponse, subject_id: str, thread_id: str) -> None:
        """Until the stream delivers a probe, and so listens. Probes published before it listened are lost to
        it and every later one arrives, in order: read up to the last one published, so none is left over."""
        published: list[dt.datetime] = []
        for wait_s in PROBE_WAITS_S:
            published.append(await self.publish(subject_id, thread_id))
            try:
                at = _probe_at(await next_ws_message(ws, wait_s))
            except TimeoutError:
                continue
            assert at in published, (at, published)
            while at != published[-1]:
                at = _probe_at(await next_ws_message(ws))
            return
        pytest.fail(f"the stream of {subject_id} delivered none of {len(published)} probes")

    async def next_is_probe(self, ws: aiohttp.ClientWebSocketResponse, subject_id: str, thread_id: str) -> None:
        """Nothing reached the stream since the events published before now: the next message is a probe
        published now, which a stream delivers after everything published before it."""
        at = await self.publish(subject_id, thread_id)
        assert _probe_at(await next_ws_message(ws)) == at


def _probe_at(message: dict[str, Any]) -> dt.datetime:
    assert message["type"] == "next" and "errors" not in message["payload"], message
    live = message["payload"]["data"]["inboxEvents"]
    assert live["kind"] == "READ" and live["message"] is None, message
    return dt.datetime.fromisoformat(live["at"])


async def _pong_is_next(ws: aiohttp.ClientWebSocketResponse) -> None:
    """The server answers a ping after whatever it had sent before: nothing else is waiting."""
    await ws.send_json({"type": "ping"})
    assert await next_ws_message(ws) == {"type": "pong"}


async def _subscribe(
    http: aiohttp.ClientSession, url: str, token: str, person_id: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(url.replace("http://", "ws://", 1) + "/graphql", protocols=("graphql-transport-ws",))
    await ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    ack = await next_ws_message(ws)
    assert ack["type"] == "connection_ack", ack
    await ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": LIVE, "variables": {"p": person_id}}})
    return ws


async def _send(
    http: aiohttp.ClientSession, url: str, token: str, person_id: str, contact_id: str, subject: str, body: str
) -> dict[str, Any]:
    variables = {
        "input": {
            "personId": person_id,
            "contactId": contact_id,
            "subject": subject,
            "body": body,
            "idempotencyKey": uuid4().hex,
        }
    }
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(f"{url}/graphql", json={"query": SEND, "variables": variables}, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        result = await resp.json()
    assert "errors" not in result, result
    sent = result["data"]["sendMessage"]
    assert sent["userErrors"] == [], sent
    return sent


def _assert_new_message(event: dict[str, Any], sent: dict[str, Any], subject: str) -> None:
    assert event["type"] == "next" and event["id"] == "1", event
    assert "errors" not in event["payload"], event
    live = event["payload"]["data"]["inboxEvents"]
    assert live["kind"] == "NEW_MESSAGE"
    assert live["message"] == {"id": sent["message"]["id"], "body": sent["message"]["body"]}
    assert live["thread"] == {"id": sent["thread"]["id"], "subject": subject}


def _stored_with_body(sandbox: Sandbox, body: str) -> list[str]:
    return [m.id for m in sandbox.apps["inbox"][STORE].messages.values() if m.body == body]


@pytest.fixture(params=["redis", "cluster"])
async def shared_redis(
    request: pytest.FixtureRequest,
    redis_prefix: tuple[str, str],
    unused_tcp_port_factory: Callable[[], int],
    tmp_path: Path,
) -> AsyncIterator[tuple[dict[str, str], Probes]]:
    """What the replicas share: the test's Redis, or a Redis Cluster of its own (3 masters, 3 replicas);
    the replicas' REDIS_URL settings, and probes published there as a replica would."""
    url, prefix = redis_prefix
    if request.param == "redis":
        redis = Redis.from_url(url)
        try:
            yield {}, Probes(RedisEventBus(redis, redis, prefix))
        finally:
            await redis.aclose()
        return
    async with redis_cluster(unused_tcp_port_factory, tmp_path / "cluster") as cluster:
        client = RedisCluster.from_url(cluster_url(cluster.url) or "")
        bus = ShardedEventBus(client, prefix)
        try:
            yield {"REDIS_URL": cluster.url, "GATEWAY_REDIS_WAIT_REPLICAS": "1"}, Probes(bus)
        finally:
            await bus.close()
            await client.aclose()


async def test_a_message_sent_through_one_replica_reaches_the_subscribers_of_another(
    sandbox: Sandbox,
    jwks: tuple[DemoIssuer, str],
    replica_env: dict[str, str],
    shared_redis: tuple[dict[str, str], Probes],
    unused_tcp_port_factory: Callable[[], int],
    tmp_path: Path,
) -> None:
    issuer, _ = jwks
    shared, probes = shared_redis
    kari, per, ola = issuer.person_token(KARI), issuer.person_token(PER), issuer.person_token(OLA)

    async with (
        _replicas(("a", "b"), {**replica_env, **shared}, unused_tcp_port_factory, tmp_path) as url,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REPLY_WITHIN_S)) as http,
    ):
        kari_own = await _subscribe(http, url["b"], kari, KARI)
        kari_for_emma = await _subscribe(http, url["b"], kari, EMMA)
        per_for_kari = await _subscribe(http, url["b"], per, KARI)
        ola_own = await _subscribe(http, url["b"], ola, OLA)

        # Per has no relation to Kari: one FORBIDDEN result, then the stream ends.
        refused = await next_ws_message(per_for_kari)
        assert refused["type"] == "next" and refused["id"] == "1", refused
        assert refused["payload"].get("data") is None, refused
        [error] = refused["payload"]["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["extensions"]["reason"] == "NO_RELATION"
        assert await next_ws_message(per_for_kari) == {"id": "1", "type": "complete"}

        # A message published before a stream on B listens would be lost to it.
        await asyncio.gather(
            probes.until_live(kari_own, KARI, KARI_THREAD),
            probes.until_live(kari_for_emma, EMMA, EMMA_THREAD),
            probes.until_live(ola_own, OLA, OLA_THREAD),
        )

        body = "Sendt via replika A"
        sent = await _send(http, url["a"], kari, KARI, "ct-kari-gp", "Fra A", body)
        assert sent["message"]["body"] == body

        event = await next_ws_message(kari_own)
        _assert_new_message(event, sent, "Fra A")
        assert _stored_with_body(sandbox, body) == [sent["message"]["id"]]

        # Ola is subscribed to himself only; Per's stream has ended; Kari's stream for Emma is about Emma.
        await asyncio.gather(
            probes.next_is_probe(ola_own, OLA, OLA_THREAD),
            _pong_is_next(per_for_kari),
            probes.next_is_probe(kari_for_emma, EMMA, EMMA_THREAD),
        )

        # On Emma's behalf (Kari is her parent) through A: Kari's subscription to Emma on B receives it.
        emma_body = "Sendt for Emma via replika A"
        for_emma = await _send(http, url["a"], kari, EMMA, "ct-emma-gp", "Feber", emma_body)
        emma_event = await next_ws_message(kari_for_emma)
        _assert_new_message(emma_event, for_emma, "Feber")
        assert _stored_with_body(sandbox, emma_body) == [for_emma["message"]["id"]]
        await asyncio.gather(
            probes.next_is_probe(kari_own, KARI, KARI_THREAD),
            probes.next_is_probe(ola_own, OLA, OLA_THREAD),
        )

        for ws in (kari_own, kari_for_emma, per_for_kari, ola_own):
            await ws.close()
