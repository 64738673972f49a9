"""The message store behind Innboks: threads and messages, read and written.

A thread's `lastMessageAt` and `unreadCount` are derived from its messages on every read, so writes
only ever touch messages (and a thread's `archived` flag). The store lives in memory per app and
`POST /_sandbox/reset` restores the seed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox import seed
from sandbox.control import CONTROL, install_control
from sandbox.params import bad_request, id_list, iso, json_response, not_found, unprocessable
from sandbox.recording import install_recording

MAX_SUBJECT = 200
MAX_BODY = 10_000


@dataclass
class InboxStore:
    threads: dict[str, seed.Thread] = field(default_factory=dict)
    messages: dict[str, seed.Message] = field(default_factory=dict)
    # (scope, Idempotency-Key) -> (fingerprint of the request body, the response body)
    idempotent: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)
    _by_thread: dict[str, list[str]] = field(default_factory=dict)

    def load(self, threads: Sequence[seed.Thread], messages: Sequence[seed.Message]) -> None:
        self.threads = {t.id: t for t in threads}
        self.messages, self._by_thread, self.idempotent = {}, {}, {}
        for m in messages:
            self.put_message(m)

    def put_message(self, message: seed.Message) -> None:
        if message.id not in self.messages:
            self._by_thread.setdefault(message.thread_id, []).append(message.id)
        self.messages[message.id] = message

    def messages_of(self, thread_id: str) -> list[seed.Message]:
        return [self.messages[i] for i in self._by_thread.get(thread_id, ())]

    def thread_json(self, thread: seed.Thread) -> dict[str, Any]:
        msgs = self.messages_of(thread.id)
        return {
            "id": thread.id,
            "owner": thread.owner,
            "subject": thread.subject,
            "category": thread.category,
            "counterpartContactId": thread.counterpart_contact_id,
            "lastMessageAt": iso(max((m.sent_at for m in msgs), default=None)),
            "unreadCount": sum(1 for m in msgs if m.direction == "IN" and m.read_at is None),
            "archived": thread.archived,
        }

    def last_message_at(self, thread: seed.Thread) -> datetime:
        return max((m.sent_at for m in self.messages_of(thread.id)), default=datetime.min.replace(tzinfo=seed.OSLO))


def message_json(m: seed.Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "threadId": m.thread_id,
        "direction": m.direction,
        "senderContactId": m.sender_contact_id,
        "sentAt": iso(m.sent_at),
        "readAt": iso(m.read_at),
        "body": m.body,
        "attachments": [
            {"id": a.id, "name": a.name, "contentType": a.content_type, "size": a.size} for a in m.attachments
        ],
        "hiddenFromGuardian": m.hidden_from_guardian,
        "sentOnBehalfOf": m.sent_on_behalf_of,
    }


STORE = web.AppKey("inbox_store", InboxStore)
# A callable is no class, so the type goes in the subscript (aiohttp reads it from there for repr).
CLOCK = web.AppKey[Callable[[], datetime]]("inbox_clock")


# --- reads -----------------------------------------------------------------------------------------


async def get_threads(request: web.Request) -> web.Response:
    store = request.app[STORE]
    owners = set(id_list(request, "owner"))
    found = [t for t in store.threads.values() if t.owner in owners]
    # Newest first; the id breaks ties so pages are stable.
    found.sort(key=lambda t: t.id)
    found.sort(key=store.last_message_at, reverse=True)
    return json_response({"threads": [store.thread_json(t) for t in found]})


async def get_thread(request: web.Request) -> web.Response:
    store = request.app[STORE]
    thread = store.threads.get(request.match_info["id"])
    if thread is None:
        raise not_found("thread not found")
    return json_response(store.thread_json(thread))


async def get_messages(request: web.Request) -> web.Response:
    store = request.app[STORE]
    wanted = set(id_list(request, "threads"))
    found = [m for thread_id in wanted for m in store.messages_of(thread_id)]
    found.sort(key=lambda m: m.id)
    found.sort(key=lambda m: m.sent_at, reverse=True)
    found.sort(key=lambda m: m.thread_id)
    return json_response({"messages": [message_json(m) for m in found]})


# --- writes ----------------------------------------------------------------------------------------


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("body must be JSON") from None
    if not isinstance(body, dict):
        raise bad_request("body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"'{name}' must be a non-empty string")
    if len(value) > limit:
        raise bad_request(f"'{name}' is longer than {limit} characters")
    return value


def _optional_id(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise bad_request(f"'{name}' must be null or a non-empty string")
    return value


def _fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replay(request: web.Request, scope: str, body: dict[str, Any]) -> web.Response | None:
    """The stored answer for a repeated Idempotency-Key, or None when the request is new."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    stored = request.app[STORE].idempotent.get((scope, key))
    if stored is None:
        return None
    fingerprint, response = stored
    if fingerprint != _fingerprint(body):
        raise unprocessable("idempotency key reused with a different request")
    return json_response(response, status=200)


def _remember(request: web.Request, scope: str, body: dict[str, Any], response: dict[str, Any]) -> None:
    key = request.headers.get("Idempotency-Key")
    if key:
        request.app[STORE].idempotent[(scope, key)] = (_fingerprint(body), response)


def _new_out_message(request: web.Request, thread_id: str, text: str, on_behalf_of: str | None) -> seed.Message:
    now = request.app[CLOCK]()
    return seed.Message(
        id=f"msg-{uuid.uuid4()}",
        thread_id=thread_id,
        direction="OUT",
        sender_contact_id=None,
        sent_at=now,
        read_at=now,
        body=text,
        sent_on_behalf_of=on_behalf_of,
    )


async def post_thread(request: web.Request) -> web.Response:
    store = request.app[STORE]
    body = await _json_object(request)
    owner = _text(body, "owner", 64)
    subject = _text(body, "subject", MAX_SUBJECT)
    category = body.get("category")
    if category not in seed.CATEGORIES:
        raise bad_request(f"'category' must be one of {', '.join(seed.CATEGORIES)}")
    counterpart = _text(body, "counterpartContactId", 64)
    text = _text(body, "body", MAX_BODY)
    on_behalf_of = _optional_id(body, "sentOnBehalfOf")
    scope = f"POST /threads {owner}"
    if (replayed := _replay(request, scope, body)) is not None:
        return replayed
    thread = seed.Thread(f"th-{uuid.uuid4()}", owner, subject, category, counterpart)
    store.threads[thread.id] = thread
    message = _new_out_message(request, thread.id, text, on_behalf_of)
    store.put_message(message)
    response = {"thread": store.thread_json(thread), "message": message_json(message)}
    _remember(request, scope, body, response)
    return json_response(response, status=201)


async def post_message(request: web.Request) -> web.Response:
    store = request.app[STORE]
    thread = store.threads.get(request.match_info["id"])
    if thread is None:
        raise not_found("thread not found")
    body = await _json_object(request)
    text = _text(body, "body", MAX_BODY)
    on_behalf_of = _optional_id(body, "sentOnBehalfOf")
    scope = f"POST /threads/{thread.id}/messages"
    if (replayed := _replay(request, scope, body)) is not None:
        return replayed
    message = _new_out_message(request, thread.id, text, on_behalf_of)
    store.put_message(message)
    response = {"message": message_json(message)}
    _remember(request, scope, body, response)
    return json_response(response, status=201)


def _parse_time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise bad_request(f"'{name}' must be null or an ISO datetime with an offset")
    return parsed


async def patch_message(request: web.Request) -> web.Response:
    store = request.app[STORE]
    message = store.messages.get(request.match_info["id"])
    if message is None:
        raise not_found("message not found")
    body = await _json_object(request)
    if set(body) != {"readAt"}:
        raise bad_request('body must be {"readAt": iso datetime | null}')
    message = replace(message, read_at=_parse_time(body["readAt"], "readAt"))
    store.put_message(message)
    return json_response({"message": message_json(message)})


async def patch_thread(request: web.Request) -> web.Response:
    store = request.app[STORE]
    thread = store.threads.get(request.match_info["id"])
    if thread is None:
        raise not_found("thread not found")
    body = await _json_object(request)
    if not body or set(body) - {"archived", "read"}:
        raise bad_request("body must set 'archived' (boolean) and/or 'read' (true)")
    if "archived" in body and not isinstance(body["archived"], bool):
        raise bad_request("'archived' must be a boolean")
    if "read" in body and body["read"] is not True:
        raise bad_request("'read' can only be true")
    if "archived" in body:
        thread = replace(thread, archived=body["archived"])
        store.threads[thread.id] = thread
    if body.get("read"):
        now = request.app[CLOCK]()
        for m in store.messages_of(thread.id):
            if m.direction == "IN" and m.read_at is None:
                store.put_message(replace(m, read_at=now))
    return json_response({"thread": store.thread_json(thread)})


def _now() -> datetime:
    now = datetime.now(seed.OSLO)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def create_app(
    *,
    threads: Sequence[seed.Thread] | None = None,
    messages: Sequence[seed.Message] | None = None,
    clock: Callable[[], datetime] = _now,
) -> web.Application:
    app = web.Application()
    install_control(app)
    install_recording(app, "inbox")
    seeded_threads = tuple(seed.THREADS if threads is None else threads)
    seeded_messages = tuple(seed.MESSAGES if messages is None else messages)
    store = InboxStore()
    store.load(seeded_threads, seeded_messages)
    app[STORE] = store
    app[CLOCK] = clock
    app[CONTROL].reset_hooks.append(lambda: store.load(seeded_threads, seeded_messages))
    app.router.add_get("/threads", get_threads)
    app.router.add_post("/threads", post_thread)
    app.router.add_get("/threads/{id}", get_thread)
    app.router.add_patch("/threads/{id}", patch_thread)
    app.router.add_post("/threads/{id}/messages", post_message)
    app.router.add_get("/messages", get_messages)
    app.router.add_patch("/messages/{id}", patch_message)
    return app


def serve_inbox(app: web.Application, threads: Sequence[seed.Thread], messages: Sequence[seed.Message]) -> None:
    """Serve these threads and messages instead of the current ones until the next reset, which
    restores the app's seed: a larger inbox (`seed.inbox_with_kari_threads`) on a running sandbox."""
    app[STORE].load(threads, messages)
