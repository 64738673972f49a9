"""The message store behind Innboks: threads and messages.

Its answers have the records' shape, so a page of threads or messages is decoded straight into
`ThreadRecord`s and `MessageRecord`s (msgspec, in one pass over the bytes). A body those types refuse
(a category the catalog does not know, a key the store left out, a timestamp without an offset) is
read again by the lenient row parsers below, which every write's answer goes through too: an unknown
category still withholds its thread with a warning, and a body that breaks the contract still makes
the source unavailable.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

import msgspec

from gateway.policy.vocabulary import MessageCategory
from gateway.sources.errors import UpstreamRejected
from gateway.sources.http import JsonHttp, JsonObject, typed_or_object
from gateway.sources.parsing import comma_list, contract, datetime_of, optional_datetime, parse_all
from gateway.sources.records import AttachmentRecord, Direction, MessageRecord, ThreadRecord

log = logging.getLogger(__name__)

R = TypeVar("R")


def _category(value: str) -> MessageCategory | None:
    try:
        return MessageCategory(value)
    except ValueError:
        # A category the catalog does not know belongs to no service: the rules withhold the thread.
        log.warning("inbox: unknown message category %r; its threads are withheld", value)
        return None


def _thread(row: dict[str, Any]) -> ThreadRecord:
    return ThreadRecord(
        id=row["id"],
        owner=row["owner"],
        subject=row["subject"],
        category=_category(row["category"]),
        counterpart_contact_id=row.get("counterpartContactId"),
        last_message_at=datetime_of(row["lastMessageAt"]),
        unread_count=int(row.get("unreadCount") or 0),
        archived=bool(row.get("archived", False)),
    )


def _attachment(row: dict[str, Any]) -> AttachmentRecord:
    return AttachmentRecord(
        id=row["id"],
        name=row["name"],
        content_type=row.get("contentType") or "application/octet-stream",
        size=int(row.get("size") or 0),
    )


# A page reads a few hundred messages: a dict lookup instead of an Enum call each (KeyError, as
# any contract break, makes the source unavailable).
_DIRECTIONS = {direction.value: direction for direction in Direction}


def _message(row: dict[str, Any]) -> MessageRecord:
    attachments = row.get("attachments")
    return MessageRecord(
        id=row["id"],
        thread_id=row["threadId"],
        direction=_DIRECTIONS[row["direction"]],
        sender_contact_id=row.get("senderContactId"),
        sent_at=datetime_of(row["sentAt"]),
        read_at=optional_datetime(row.get("readAt")),
        body=row["body"],
        attachments=tuple(map(_attachment, attachments)) if attachments else (),
        hidden_from_guardian=bool(row.get("hiddenFromGuardian", False)),
        sent_on_behalf_of=row.get("sentOnBehalfOf"),
    )


class Threads(msgspec.Struct, frozen=True, gc=False):
    """`GET /threads` as the store sends it."""

    threads: list[ThreadRecord]


class Messages(msgspec.Struct, frozen=True, gc=False):
    """`GET /messages` as the store sends it."""

    messages: list[MessageRecord]


decode_threads = typed_or_object(msgspec.json.Decoder(Threads))
decode_messages = typed_or_object(msgspec.json.Decoder(Messages))


def _grouped(keys: Sequence[str], records: Iterable[R], key_of: Callable[[R], str]) -> dict[str, list[R]]:
    """The records by `key_of` each, in their order; every one of `keys` present, with none if need be."""
    grouped: dict[str, list[R]] = {key: [] for key in keys}
    for record in records:
        grouped.setdefault(key_of(record), []).append(record)
    return grouped


class InboxClient:
    def __init__(self, http: JsonHttp) -> None:
        self._http = http

    async def threads_by_owners(self, owners: Sequence[str]) -> dict[str, list[ThreadRecord]]:
        """Every thread of each owner, newest activity first (the store's order)."""
        url, params = self._http.url("threads"), {"owner": comma_list(owners)}
        body = (await self._http.get_decoded(url, decode_threads, params)).body
        threads = body.threads if isinstance(body, Threads) else self._parsed(body, "threads", _thread)
        return _grouped(owners, threads, attrgetter("owner"))

    async def messages_by_threads(self, thread_ids: Sequence[str]) -> dict[str, list[MessageRecord]]:
        """Every message of each thread, newest first (the store's order)."""
        url, params = self._http.url("messages"), {"threads": comma_list(thread_ids)}
        body = (await self._http.get_decoded(url, decode_messages, params)).body
        messages = body.messages if isinstance(body, Messages) else self._parsed(body, "messages", _message)
        return _grouped(thread_ids, messages, attrgetter("thread_id"))

    def _parsed(self, body: JsonObject, key: str, parse: Callable[[dict[str, Any]], R]) -> list[R]:
        """A body of another shape than the records', read by the lenient parser, or refused (the source fails)."""
        return parse_all(self._http.source, body.get(key), parse)

    async def _write(
        self, method: str, path: tuple[str, ...], body: dict[str, object], idempotency_key: str | None = None
    ) -> tuple[int, JsonObject]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        answer = await self._http.exchange(method, self._http.url(*path), json=body, headers=headers)
        if answer.status >= 400:
            raise UpstreamRejected(self._http.source, answer.status, str(answer.body.get("error") or ""))
        return answer.status, answer.body

    async def create_thread(
        self,
        *,
        owner: str,
        subject: str,
        category: MessageCategory,
        counterpart_contact_id: str,
        body: str,
        sent_on_behalf_of: str | None,
        idempotency_key: str,
    ) -> tuple[ThreadRecord, MessageRecord]:
        """A new thread with its first message (the first answer again, when the key was used before)."""
        _, answer = await self._write(
            "POST",
            ("threads",),
            {
                "owner": owner,
                "subject": subject,
                "category": category.value,
                "counterpartContactId": counterpart_contact_id,
                "body": body,
                "sentOnBehalfOf": sent_on_behalf_of,
            },
            idempotency_key,
        )
        with contract(self._http.source):
            return _thread(answer["thread"]), _message(answer["message"])

    async def post_message(
        self, thread_id: str, *, body: str, sent_on_behalf_of: str | None, idempotency_key: str
    ) -> MessageRecord:
        """A message in a thread (the first answer again, when the key was used before)."""
        _, answer = await self._write(
            "POST",
            ("threads", thread_id, "messages"),
            {"body": body, "sentOnBehalfOf": sent_on_behalf_of},
            idempotency_key,
        )
        with contract(self._http.source):
            return _message(answer["message"])

    async def mark_message_read(self, message_id: str, at: dt.datetime) -> MessageRecord:
        _, answer = await self._write("PATCH", ("messages", message_id), {"readAt": at.isoformat()})
        with contract(self._http.source):
            return _message(answer["message"])

    async def update_thread(self, thread_id: str, *, archived: bool | None = None, read: bool = False) -> ThreadRecord:
        change: dict[str, object] = {}
        if archived is not None:
            change["archived"] = archived
        if read:
            change["read"] = True
        _, answer = await self._write("PATCH", ("threads", thread_id), change)
        with contract(self._http.source):
            return _thread(answer["thread"])
