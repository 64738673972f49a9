"""The write path over HTTP: sending, replying, read state and archive, under the access rules."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from gateway.app import build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.events import MemoryEventBus
from gateway.core.shared import SharedState
from gateway.policy.clock import fixed_clock
from gateway.policy.vocabulary import Service
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.contacts import CARE_TEAMS
from sandbox.fhir import GUARDIAN_RESTRICTED
from sandbox.inbox import STORE
from sandbox.seed import CT_EMMA_GP, EMMA, ERIK, INGRID, JONAS, KARI
from tests.support import TEST_NOW, GatewayClient, settings_for

SEND = """mutation Send($input: SendMessageInput!) { sendMessage(input: $input) {
  thread { id subject category archived unreadCount messages { totalCount nodes { id body sentOnBehalfOf { id } } } }
  message { id body direction sentOnBehalfOf { id } }
  userErrors { code field message } } }"""
REPLY = """mutation Reply($input: ReplyToThreadInput!) { replyToThread(input: $input) {
  message { id body direction } userErrors { code field message } } }"""
READ = """mutation Read($input: ThreadInput!) { markThreadRead(input: $input) {
  thread { id unreadCount } userErrors { code field } } }"""
ARCHIVE = """mutation Archive($input: ThreadInput!) { archiveThread(input: $input) {
  thread { id archived } userErrors { code field } } }"""
UNARCHIVE = """mutation Unarchive($input: ThreadInput!) { unarchiveThread(input: $input) {
  thread { id archived } userErrors { code field } } }"""
THREAD = """query($p: ID!, $t: ID!) { person(id: $p) { thread(id: $t) {
  id archived unreadCount messages { totalCount nodes { id body direction } } } } }"""


def _send_input(**overrides: Any) -> dict[str, Any]:
    return {
        "personId": KARI,
        "contactId": "ct-kari-gp",
        "subject": "Fornye resept",
        "body": f"Kan jeg få fornyet resepten? ({uuid.uuid4().hex[:8]})",
        "idempotencyKey": str(uuid.uuid4()),
        **overrides,
    }


def _store_size(sandbox: Sandbox) -> tuple[int, int]:
    store = sandbox.apps["inbox"][STORE]
    return len(store.threads), len(store.messages)


@pytest.fixture
def shared() -> SharedState:
    return SharedState(audit_log=MemoryAuditLog(), events=MemoryEventBus())


@asynccontextmanager
async def _gateway(sandbox: Sandbox, shared: SharedState, timeout_s: float) -> AsyncIterator[GatewayClient]:
    app = build_app(settings_for(sandbox, upstream_timeout_s=timeout_s), clock=fixed_clock(TEST_NOW), shared=shared)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield GatewayClient(url, http)


@pytest.fixture
async def client(sandbox: Sandbox, shared: SharedState) -> AsyncIterator[GatewayClient]:
    # Generous: a loaded machine must make these tests slow, not fail them with upstream timeouts.
    async with _gateway(sandbox, shared, timeout_s=10.0) as gateway:
        yield gateway


@pytest.fixture
async def impatient_client(sandbox: Sandbox, shared: SharedState) -> AsyncIterator[GatewayClient]:
    """A gateway that gives up on an upstream after 2 s, for the test of a retry after a timeout."""
    async with _gateway(sandbox, shared, timeout_s=2.0) as gateway:
        yield gateway


async def test_kari_sends_to_her_gp_replies_marks_read_and_archives(client: GatewayClient, sandbox: Sandbox) -> None:
    token = await client.token(KARI)
    sent = (await client.execute(SEND, {"input": _send_input()}, token=token))["data"]["sendMessage"]
    assert sent["userErrors"] == []
    thread = sent["thread"]
    assert thread["subject"] == "Fornye resept" and thread["category"] == "DIALOG_FASTLEGE"
    assert thread["messages"]["nodes"][0]["id"] == sent["message"]["id"]
    assert sent["message"]["direction"] == "OUT" and sent["message"]["sentOnBehalfOf"] is None

    reply_input = {"personId": KARI, "threadId": thread["id"], "body": "Og en ting til.", "idempotencyKey": "r-1"}
    reply = (await client.execute(REPLY, {"input": reply_input}, token=token))["data"]["replyToThread"]
    assert reply["userErrors"] == [] and reply["message"]["body"] == "Og en ting til."
    # Later reads see the new state: no stale loader or cache.
    after = (await client.execute(THREAD, {"p": KARI, "t": thread["id"]}, token=token))["data"]["person"]["thread"]
    assert after["messages"]["totalCount"] == 2
    assert after["messages"]["nodes"][0]["id"] == reply["message"]["id"]  # newest first

    unread = next(
        t for t in sandbox.apps["inbox"][STORE].threads.values() if t.owner == KARI and t.id.startswith("th-kari")
    )
    ids = {"personId": KARI, "threadId": unread.id}
    read = (await client.execute(READ, {"input": ids}, token=token))["data"]["markThreadRead"]
    assert read == {"thread": {"id": unread.id, "unreadCount": 0}, "userErrors": []}
    archived = (await client.execute(ARCHIVE, {"input": ids}, token=token))["data"]["archiveThread"]
    assert archived["thread"] == {"id": unread.id, "archived": True}
    assert (await client.execute(THREAD, {"p": KARI, "t": unread.id}, token=token))["data"]["person"]["thread"][
        "archived"
    ]
    back = (await client.execute(UNARCHIVE, {"input": ids}, token=token))["data"]["unarchiveThread"]
    assert back["thread"] == {"id": unread.id, "archived": False}


async def test_the_same_idempotency_key_twice_yields_one_message(client: GatewayClient, sandbox: Sandbox) -> None:
    token = await client.token(KARI)
    before = _store_size(sandbox)
    message = _send_input()
    first = (await client.execute(SEND, {"input": message}, token=token))["data"]["sendMessage"]
    second = (await client.execute(SEND, {"input": message}, token=token))["data"]["sendMessage"]
    assert first["message"]["id"] == second["message"]["id"]
    assert first["thread"]["id"] == second["thread"]["id"]
    assert _store_size(sandbox) == (before[0] + 1, before[1] + 1)
    reused = await client.execute(SEND, {"input": {**message, "body": "Noe annet"}}, token=token)
    assert [e["code"] for e in reused["data"]["sendMessage"]["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert _store_size(sandbox) == (before[0] + 1, before[1] + 1)


async def test_a_retry_after_a_timeout_returns_the_stored_message(
    impatient_client: GatewayClient, sandbox: Sandbox
) -> None:
    client = impatient_client
    token = await client.token(KARI)
    before = _store_size(sandbox)
    message = _send_input()
    # Stored, but answered only after 4 s: the gateway's 2 s timer, on the same event loop, fires first.
    sandbox.control("inbox").slow_response_ms = 4000
    timed_out = await client.execute(SEND, {"input": message}, token=token)
    assert timed_out["data"] is None
    assert [e["extensions"] for e in timed_out["errors"]] == [{"code": "UPSTREAM_UNAVAILABLE", "source": "inbox"}]
    assert _store_size(sandbox) == (before[0] + 1, before[1] + 1)  # the first attempt was stored
    sandbox.control("inbox").slow_response_ms = 0
    retried = (await client.execute(SEND, {"input": message}, token=token))["data"]["sendMessage"]
    assert retried["userErrors"] == [] and retried["message"]["body"] == message["body"]
    assert _store_size(sandbox) == (before[0] + 1, before[1] + 1)
    stored = [m for m in sandbox.apps["inbox"][STORE].messages.values() if m.body == message["body"]]
    assert [m.id for m in stored] == [retried["message"]["id"]]


async def test_when_the_store_is_down_the_client_is_told_and_nothing_is_written(
    client: GatewayClient, sandbox: Sandbox
) -> None:
    token = await client.token(KARI)
    before = _store_size(sandbox)
    sandbox.control("inbox").fail_status = 503
    result = await client.execute(SEND, {"input": _send_input()}, token=token)
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "source": "inbox"}
    sandbox.control("inbox").fail_status = None
    assert _store_size(sandbox) == before


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"body": "   "}, "EMPTY_BODY", ["input", "body"]),
        ({"body": "x" * 10_001}, "BODY_TOO_LONG", ["input", "body"]),
        ({"subject": ""}, "EMPTY_SUBJECT", ["input", "subject"]),
        ({"subject": "s" * 201}, "SUBJECT_TOO_LONG", ["input", "subject"]),
        ({"contactId": "ct-somebody-else"}, "UNKNOWN_CONTACT", ["input", "contactId"]),
        ({"contactId": "ct-ingrid-gp"}, "UNKNOWN_CONTACT", ["input", "contactId"]),  # another person's
        ({"contactId": "ct-kari-gp-former"}, "UNKNOWN_CONTACT", ["input", "contactId"]),  # a former GP
        ({"contactId": "ct-kari-hospital"}, "NO_DIGITAL_DIALOG", ["input", "contactId"]),
        ({"idempotencyKey": ""}, "INVALID_IDEMPOTENCY_KEY", ["input", "idempotencyKey"]),
        ({"idempotencyKey": "k" * 201}, "INVALID_IDEMPOTENCY_KEY", ["input", "idempotencyKey"]),
    ],
)
async def test_invalid_input_is_a_user_error_and_changes_nothing(
    client: GatewayClient, sandbox: Sandbox, overrides: dict, code: str, field: list[str]
) -> None:
    before = _store_size(sandbox)
    result = await client.execute(SEND, {"input": _send_input(**overrides)}, as_pid=KARI)
    payload = result["data"]["sendMessage"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["thread"] is None and payload["message"] is None
    assert _store_size(sandbox) == before
    assert sandbox.control("inbox").counts["POST /threads"] == 0


async def test_replies_are_checked_before_anything_is_sent(client: GatewayClient, sandbox: Sandbox) -> None:
    token = await client.token(KARI)
    archived = next(t for t in sandbox.apps["inbox"][STORE].threads.values() if t.owner == KARI and t.archived)
    hospital = next(
        t
        for t in sandbox.apps["inbox"][STORE].threads.values()
        if t.owner == KARI and t.counterpart_contact_id == "ct-kari-hospital" and not t.archived
    )
    cases = [
        (archived.id, "Hei", ["THREAD_ARCHIVED"] if archived.counterpart_contact_id != "ct-kari-hospital" else None),
        (hospital.id, "Hei", ["NO_DIGITAL_DIALOG"]),
        ("th-emma-dialog", "Hei", ["UNKNOWN_THREAD"]),  # Emma's thread, asked for as Kari's
        ("th-does-not-exist", "Hei", ["UNKNOWN_THREAD"]),
        (hospital.id, "", ["EMPTY_BODY", "NO_DIGITAL_DIALOG"]),
    ]
    before = _store_size(sandbox)
    for thread_id, body, codes in cases:
        reply = {"personId": KARI, "threadId": thread_id, "body": body, "idempotencyKey": str(uuid.uuid4())}
        payload = (await client.execute(REPLY, {"input": reply}, token=token))["data"]["replyToThread"]
        found = [e["code"] for e in payload["userErrors"]]
        if codes is None:
            assert "THREAD_ARCHIVED" in found
        else:
            assert found == codes, thread_id
        assert payload["message"] is None
    assert _store_size(sandbox) == before


@pytest.mark.parametrize(
    ("viewer", "person", "contact", "reason"),
    [
        (INGRID, INGRID, "ct-ingrid-gp", "CONSENT_LEVEL"),  # consent BASIS cannot write
        (KARI, JONAS, "ct-jonas-gp", "CHILD_AGE"),  # digital dialogue is NONE for parents of 12-15
        (ERIK, INGRID, "ct-ingrid-gp", "PROXY_SCOPE"),  # an area-1 fullmakt does not cover writing
        (JONAS, JONAS, "ct-jonas-gp", "CHILD_AGE"),  # youth access reads, it does not write
    ],
)
async def test_writing_is_refused_with_a_reason(
    client: GatewayClient, sandbox: Sandbox, viewer: str, person: str, contact: str, reason: str
) -> None:
    result = await client.execute(SEND, {"input": _send_input(personId=person, contactId=contact)}, as_pid=viewer)
    assert result["data"] is None
    assert [(e["extensions"]["code"], e["extensions"]["reason"]) for e in result["errors"]] == [("FORBIDDEN", reason)]
    assert sandbox.control("inbox").counts["POST /threads"] == 0


async def test_kari_writes_on_emmas_behalf_and_emmas_log_shows_it(
    client: GatewayClient, sandbox: Sandbox, shared: SharedState
) -> None:
    message = _send_input(personId=EMMA, contactId="ct-emma-gp", subject="Feber")
    result = await client.execute(
        SEND.replace("mutation Send", "mutation WriteForEmma"), {"input": message}, as_pid=KARI
    )
    payload = result["data"]["sendMessage"]
    assert payload["userErrors"] == []
    assert payload["message"]["sentOnBehalfOf"] == {"id": KARI}
    stored = sandbox.apps["inbox"][STORE].messages[payload["message"]["id"]]
    assert stored.sent_on_behalf_of == KARI
    entries = await shared.audit_log.entries_for(EMMA)
    assert [(e.actor_id, e.basis, e.operation) for e in entries] == [(KARI, "PARENT", "WriteForEmma")]
    assert set(entries[0].services) >= {Service.DIGITAL_DIALOG}


async def test_a_parent_marking_read_leaves_the_message_hidden_from_them_unread(
    client: GatewayClient, sandbox: Sandbox
) -> None:
    store = sandbox.apps["inbox"][STORE]
    hidden = [m for m in store.messages_of("th-emma-innkalling") if m.hidden_from_guardian]
    assert hidden and hidden[0].read_at is None, "seed: Emma's hospital thread has an unread hidden message"
    # Her message the parent sees is unread too, so the gateway marks it read on its own (PATCH /messages/{id}).
    (shown,) = [m for m in store.messages_of("th-emma-innkalling") if not m.hidden_from_guardian]
    store.put_message(replace(shown, read_at=None))
    result = await client.execute(READ, {"input": {"personId": EMMA, "threadId": "th-emma-innkalling"}}, as_pid=KARI)
    assert result["data"]["markThreadRead"]["thread"]["unreadCount"] == 0
    assert store.messages[hidden[0].id].read_at is None
    assert store.messages[shown.id].read_at is not None


async def test_a_parent_cannot_write_to_a_contact_hidden_from_guardians(
    client: GatewayClient, sandbox: Sandbox
) -> None:
    """A contact the parent may not see is no contact to write to either, and the answer does not
    tell it from one that does not exist."""
    teams = sandbox.apps["contacts"][CARE_TEAMS]
    shown = teams[CT_EMMA_GP]
    teams[CT_EMMA_GP] = {**shown, "meta": {**shown["meta"], "security": [GUARDIAN_RESTRICTED]}}
    token = await client.token(KARI)
    listed = await client.execute(
        "query($id: ID!) { person(id: $id) { healthContacts { id } } }", {"id": EMMA}, token=token
    )
    assert CT_EMMA_GP not in str(listed)
    result = await client.execute(SEND, {"input": _send_input(personId=EMMA, contactId=CT_EMMA_GP)}, token=token)
    payload = result["data"]["sendMessage"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("UNKNOWN_CONTACT", ["input", "contactId"])]
    assert sandbox.control("inbox").counts["POST /threads"] == 0
    teams[CT_EMMA_GP] = shown
    sent = await client.execute(SEND, {"input": _send_input(personId=EMMA, contactId=CT_EMMA_GP)}, token=token)
    assert sent["data"]["sendMessage"]["userErrors"] == []  # the same message, to the contact shown
