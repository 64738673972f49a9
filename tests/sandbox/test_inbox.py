"""The message store: derived thread fields, ordering, writes and idempotency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from sandbox import inbox, seed
from sandbox.seed import EMMA, JONAS, KARI

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=seed.OSLO)


@pytest.fixture
async def client(aiohttp_client: Any) -> Any:
    return await aiohttp_client(inbox.create_app(clock=lambda: NOW))


async def _threads(client: Any, *owners: str) -> list[dict[str, Any]]:
    resp = await client.get("/threads", params={"owner": ",".join(owners)})
    assert resp.status == 200
    return (await resp.json())["threads"]


async def _messages(client: Any, *threads: str) -> list[dict[str, Any]]:
    resp = await client.get("/messages", params={"threads": ",".join(threads)})
    assert resp.status == 200
    return (await resp.json())["messages"]


async def test_threads_are_sorted_newest_first_with_derived_fields(client: Any) -> None:
    threads = await _threads(client, KARI, EMMA, "00000000000")
    assert {t["owner"] for t in threads} == {KARI, EMMA}
    assert len(threads) == sum(1 for t in seed.THREADS if t.owner in (KARI, EMMA))
    keys = [(datetime.fromisoformat(t["lastMessageAt"]), t["id"]) for t in threads]
    assert keys == sorted(keys, key=lambda k: (-k[0].timestamp(), k[1]))
    messages = await _messages(client, *(t["id"] for t in threads))
    for thread in threads:
        mine = [m for m in messages if m["threadId"] == thread["id"]]
        assert thread["lastMessageAt"] == max(mine, key=lambda m: datetime.fromisoformat(m["sentAt"]))["sentAt"]
        assert thread["unreadCount"] == sum(1 for m in mine if m["direction"] == "IN" and m["readAt"] is None)
    assert any(t["unreadCount"] for t in threads) and any(not t["unreadCount"] for t in threads)
    assert any(t["archived"] for t in threads)


async def test_messages_are_grouped_by_thread_newest_first(client: Any) -> None:
    ids = [seed.TH_JONAS_FORLOP, seed.TH_EMMA_DIALOG, seed.TH_EMMA_HIDDEN]
    messages = await _messages(client, *ids)
    keys = [(m["threadId"], datetime.fromisoformat(m["sentAt"])) for m in messages]
    assert keys == sorted(keys, key=lambda k: (k[0], -k[1].timestamp()))
    assert [m["threadId"] for m in messages][:1] == [seed.TH_EMMA_DIALOG]
    hidden = [m for m in messages if m["threadId"] == seed.TH_EMMA_HIDDEN]
    assert len(hidden) == 1 and hidden[0]["hiddenFromGuardian"] is True
    dialog = [m for m in messages if m["threadId"] == seed.TH_EMMA_DIALOG]
    assert dialog[0]["direction"] == "IN" and dialog[0]["senderContactId"] == seed.CT_EMMA_GP
    assert dialog[0]["attachments"][0]["contentType"] == "application/pdf"
    assert dialog[1]["direction"] == "OUT" and dialog[1]["senderContactId"] is None
    assert dialog[1]["sentOnBehalfOf"] == KARI


async def test_get_one_thread(client: Any) -> None:
    resp = await client.get(f"/threads/{seed.TH_EMMA_FULLMAKT}")
    assert resp.status == 200
    body = await resp.json()
    assert body["category"] == "FULLMAKT" and body["owner"] == EMMA
    assert (await client.get("/threads/nope")).status == 404


async def test_missing_params_are_400(client: Any) -> None:
    for path in ("/threads", "/threads?owner=", "/messages", "/messages?threads=,"):
        resp = await client.get(path)
        assert resp.status == 400
        assert (await resp.json())["error"]


NEW_THREAD = {
    "owner": JONAS,
    "subject": "Spørsmål",
    "category": "DIALOG_FASTLEGE",
    "counterpartContactId": seed.CT_JONAS_GP,
    "body": "Hei",
    "sentOnBehalfOf": KARI,
}


async def test_post_thread_is_idempotent(client: Any) -> None:
    before = len(await _threads(client, JONAS))
    headers = {"Idempotency-Key": "k1"}
    first = await client.post("/threads", json=NEW_THREAD, headers=headers)
    assert first.status == 201
    created = await first.json()
    assert created["message"]["direction"] == "OUT"
    assert created["message"]["readAt"] is not None
    assert created["message"]["sentOnBehalfOf"] == KARI
    assert created["thread"]["unreadCount"] == 0
    assert created["thread"]["lastMessageAt"] == NOW.isoformat()
    again = await client.post("/threads", json=NEW_THREAD, headers=headers)
    assert again.status == 200
    assert await again.json() == created
    assert len(await _threads(client, JONAS)) == before + 1
    reused = await client.post("/threads", json={**NEW_THREAD, "body": "Annet"}, headers=headers)
    assert reused.status == 422
    assert await reused.json() == {"error": "idempotency key reused with a different request"}
    # The same key for another owner is another scope.
    other = await client.post("/threads", json={**NEW_THREAD, "owner": EMMA}, headers=headers)
    assert other.status == 201
    newest = (await _threads(client, JONAS))[0]
    assert newest["id"] == created["thread"]["id"]


async def test_post_message_is_idempotent(client: Any) -> None:
    url = f"/threads/{seed.TH_JONAS_DIALOG}/messages"
    headers = {"Idempotency-Key": "abc"}
    first = await client.post(url, json={"body": "Takk!", "sentOnBehalfOf": None}, headers=headers)
    assert first.status == 201
    second = await client.post(url, json={"body": "Takk!", "sentOnBehalfOf": None}, headers=headers)
    assert second.status == 200
    assert await second.json() == await first.json()
    messages = await _messages(client, seed.TH_JONAS_DIALOG)
    assert [m["body"] for m in messages].count("Takk!") == 1
    assert messages[0]["body"] == "Takk!"
    third = await client.post(url, json={"body": "Takk!"}, headers={"Idempotency-Key": "other"})
    assert third.status == 201
    assert (await client.post(url, json={"body": "x2"}, headers=headers)).status == 422
    assert (await client.post("/threads/nope/messages", json={"body": "x"})).status == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**NEW_THREAD, "category": "NOPE"},
        {**NEW_THREAD, "body": ""},
        {**NEW_THREAD, "owner": None},
        {**NEW_THREAD, "subject": "x" * 201},
        {**NEW_THREAD, "sentOnBehalfOf": 5},
        [],
    ],
)
async def test_post_thread_validates(client: Any, body: Any) -> None:
    resp = await client.post("/threads", json=body)
    assert resp.status == 400
    assert (await resp.json())["error"]


async def test_post_invalid_json_is_400(client: Any) -> None:
    resp = await client.post("/threads", data=b"{not json", headers={"Content-Type": "application/json"})
    assert resp.status == 400


async def test_patch_message_read_at(client: Any) -> None:
    message_id = next(m.id for m in seed.MESSAGES if m.thread_id == seed.TH_EMMA_HIDDEN)
    resp = await client.patch(f"/messages/{message_id}", json={"readAt": "2026-11-26T10:00:00+01:00"})
    assert resp.status == 200
    assert (await resp.json())["message"]["readAt"] == "2026-11-26T10:00:00+01:00"
    assert (await (await client.get(f"/threads/{seed.TH_EMMA_HIDDEN}")).json())["unreadCount"] == 0
    resp = await client.patch(f"/messages/{message_id}", json={"readAt": None})
    assert (await resp.json())["message"]["readAt"] is None
    assert (await client.patch(f"/messages/{message_id}", json={"readAt": "yesterday"})).status == 400
    assert (await client.patch(f"/messages/{message_id}", json={"readAt": "2026-11-26T10:00:00"})).status == 400
    assert (await client.patch(f"/messages/{message_id}", json={})).status == 400
    assert (await client.patch("/messages/nope", json={"readAt": None})).status == 404


async def test_patch_thread_read_and_archive(client: Any) -> None:
    url = f"/threads/{seed.TH_JONAS_FORLOP}"
    assert (await (await client.get(url)).json())["unreadCount"] == 1
    resp = await client.patch(url, json={"read": True, "archived": True})
    assert resp.status == 200
    thread = (await resp.json())["thread"]
    assert thread["unreadCount"] == 0 and thread["archived"] is True
    messages = await _messages(client, seed.TH_JONAS_FORLOP)
    assert messages[0]["readAt"] == NOW.isoformat()
    resp = await client.patch(url, json={"archived": False})
    assert (await resp.json())["thread"]["archived"] is False
    for bad in ({}, {"read": False}, {"archived": "yes"}, {"other": 1}):
        assert (await client.patch(url, json=bad)).status == 400
    assert (await client.patch("/threads/nope", json={"read": True})).status == 404


async def test_reset_restores_the_seed(client: Any) -> None:
    before = await _threads(client, JONAS)
    assert (await client.post("/threads", json=NEW_THREAD, headers={"Idempotency-Key": "r"})).status == 201
    await client.patch(f"/threads/{seed.TH_JONAS_FORLOP}", json={"read": True})
    assert (await client.post("/_sandbox/reset")).status == 200
    assert await _threads(client, JONAS) == before
    # Idempotency keys are forgotten with the data they stood for.
    assert (await client.post("/threads", json=NEW_THREAD, headers={"Idempotency-Key": "r"})).status == 201
