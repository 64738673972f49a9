"""Live inbox events over GraphQL over WebSocket (graphql-transport-ws), under the access rules."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from gateway.app import build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.auth import DemoIssuer
from gateway.core.events import InboxEventKind, InboxEventRecord, MemoryEventBus
from gateway.core.shared import SharedState
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.consent import PROXIES
from sandbox.seed import EMMA, JONAS, KARI, OLA, PER
from tests.support import TEST_NOW, GatewayClient, LiveSubscription, settings_for

SEND = (
    """mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { message { id } userErrors { code } } }"""
)
READ = """mutation Read($input: ThreadInput!) { markThreadRead(input: $input) { thread { id } } }"""
ARCHIVE = """mutation Archive($input: ThreadInput!) { archiveThread(input: $input) { thread { id } } }"""


class MovableClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@dataclass
class Live:
    client: GatewayClient
    clock: MovableClock
    shared: SharedState
    events: MemoryEventBus

    async def subscribe(self, viewer: str | None, person: str) -> LiveSubscription:
        token = await self.client.token(viewer) if viewer else None
        live = await LiveSubscription.open(self.client.http, self.client.url, token, person)
        # An event published before the server's stream listens is lost to it; a refused one never listens.
        await live.started(self.events.wait_for_subscribers(person))
        return live

    async def publish(self, kind: str, person: str, thread_id: str) -> None:
        await self.events.publish(InboxEventRecord(InboxEventKind(kind), person, thread_id, None, TEST_NOW))


@pytest.fixture
async def live(sandbox: Sandbox) -> AsyncIterator[Live]:
    clock = MovableClock(TEST_NOW)
    events = MemoryEventBus()
    shared = SharedState(audit_log=MemoryAuditLog(), events=events)
    app = build_app(settings_for(sandbox, subscription_recheck_s=0.2), clock=clock, shared=shared)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield Live(GatewayClient(url, http), clock, shared, events)


def _event(message: dict) -> dict:
    assert message["type"] == "next" and "errors" not in message["payload"], message
    return message["payload"]["data"]["inboxEvents"]


def _send(person: str, contact: str, key: str | None = None) -> dict:
    return {
        "input": {
            "personId": person,
            "contactId": contact,
            "subject": "Spørsmål",
            "body": f"Hei {uuid.uuid4().hex[:6]}",
            "idempotencyKey": key or str(uuid.uuid4()),
        }
    }


async def test_kari_receives_her_new_message_read_and_archive_events(live: Live) -> None:
    sub = await live.subscribe(KARI, KARI)
    sent = await live.client.execute(SEND, _send(KARI, "ct-kari-gp"), as_pid=KARI)
    message_id = sent["data"]["sendMessage"]["message"]["id"]
    event = (await sub.next())["payload"]["data"]["inboxEvents"]
    assert event["kind"] == "NEW_MESSAGE" and event["message"]["id"] == message_id
    thread_id = event["thread"]["id"]
    await live.client.execute(READ, {"input": {"personId": KARI, "threadId": thread_id}}, as_pid=KARI)
    assert (await sub.next())["payload"]["data"]["inboxEvents"]["kind"] == "READ"
    await live.client.execute(ARCHIVE, {"input": {"personId": KARI, "threadId": thread_id}}, as_pid=KARI)
    archived = (await sub.next())["payload"]["data"]["inboxEvents"]
    assert archived["kind"] == "ARCHIVED" and archived["thread"]["archived"] is True
    await sub.close()


async def test_a_retried_send_is_delivered_once(live: Live) -> None:
    sub = await live.subscribe(KARI, KARI)
    request = _send(KARI, "ct-kari-gp", key="same-key")
    first = await live.client.execute(SEND, request, as_pid=KARI)
    again = await live.client.execute(SEND, request, as_pid=KARI)
    assert first["data"] == again["data"]
    delivered = _event(await sub.next())
    assert delivered["kind"] == "NEW_MESSAGE"
    # Both sends have published by now and a stream delivers in order: a repeat would come before this.
    await live.publish("READ", KARI, delivered["thread"]["id"])
    assert _event(await sub.next())["kind"] == "READ"


async def test_a_parent_receives_only_what_they_could_read(live: Live) -> None:
    sub = await live.subscribe(KARI, EMMA)
    # Events about Emma's threads hidden from guardians are not delivered: the stream, in order, skips
    # them and delivers the one about a thread Kari may read.
    await live.publish("READ", EMMA, "th-emma-hidden")
    await live.publish("READ", EMMA, "th-emma-fullmakt")
    await live.publish("READ", EMMA, "th-emma-dialog")
    event = _event(await sub.next())
    assert event["kind"] == "READ" and event["thread"]["id"] == "th-emma-dialog"
    entries = await live.shared.audit_log.entries_for(EMMA)
    assert entries and entries[0].actor_id == KARI and entries[0].operation == "Live"


async def test_a_viewer_without_rights_receives_nothing_but_the_refusal(live: Live) -> None:
    sub = await live.subscribe(PER, KARI)
    refusal = await sub.next()
    assert refusal["type"] == "next"
    assert refusal["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "NO_RELATION"}
    assert (await sub.next())["type"] == "complete"
    kari = await live.subscribe(KARI, KARI)
    await live.client.execute(SEND, _send(KARI, "ct-kari-gp"), as_pid=KARI)
    # Kari's own stream has the message, so it was published; Per's connection answers the ping and has
    # nothing before the pong.
    assert _event(await kari.next())["kind"] == "NEW_MESSAGE"
    await sub.ping()
    assert await sub.next() == {"type": "pong"}


async def test_without_a_token_the_subscription_is_unauthenticated(live: Live) -> None:
    sub = await live.subscribe(None, KARI)
    refusal = await sub.next()
    assert refusal["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_childs_16th_birthday_ends_the_parents_stream(live: Live) -> None:
    sub = await live.subscribe(KARI, JONAS)
    live.clock.at = dt.datetime(2028, 2, 20, 0, 0, tzinfo=TEST_NOW.tzinfo)  # Jonas turns 16
    ended = await sub.next()
    assert ended["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "CHILD_AGE"}
    assert (await sub.next())["type"] == "complete"


async def test_a_revoked_fullmakt_ends_the_stream(live: Live, sandbox: Sandbox) -> None:
    sub = await live.subscribe(KARI, OLA)
    proxies = sandbox.apps["consent"][PROXIES]
    proxies[:] = [p for p in proxies if not (p.grantor == OLA and p.grantee == KARI)]
    ended = await sub.next()
    assert ended["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "NO_RELATION"}


async def test_an_expired_token_ends_the_stream(sandbox: Sandbox, aiohttp_server) -> None:
    issuer = DemoIssuer("https://issuer.test", "health-gateway")

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response(issuer.jwks())

    jwks = web.Application()
    jwks.router.add_get("/jwks.json", keys)
    server = await aiohttp_server(jwks)
    settings = settings_for(
        sandbox,
        demo=False,
        jwks_url=str(server.make_url("/jwks.json")),
        issuer="https://issuer.test",
        subscription_recheck_s=0.2,
        clock_skew_s=0,
    )
    async with serving(build_app(settings)) as url, aiohttp.ClientSession() as http:
        sub = await LiveSubscription.open(http, url, issuer.person_token(KARI, ttl_s=1), KARI)
        ended = await sub.next()
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "expired" in ended["payload"]["errors"][0]["message"]
