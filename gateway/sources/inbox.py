"""The message store behind Innboks: threads and messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.sources.http import JsonHttp
from gateway.sources.parsing import comma_list, datetime_of, optional_datetime, parse_all
from gateway.sources.records import AttachmentRecord, MessageRecord, ThreadRecord


def _thread(row: dict[str, Any]) -> ThreadRecord:
    return ThreadRecord(
        id=row["id"],
        owner=row["owner"],
        subject=row["subject"],
        category=row["category"],
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


def _message(row: dict[str, Any]) -> MessageRecord:
    return MessageRecord(
        id=row["id"],
        thread_id=row["threadId"],
        direction=row["direction"],
        sender_contact_id=row.get("senderContactId"),
        sent_at=datetime_of(row["sentAt"]),
        read_at=optional_datetime(row.get("readAt")),
        body=row["body"],
        attachments=tuple(_attachment(a) for a in row.get("attachments") or ()),
        hidden_from_guardian=bool(row.get("hiddenFromGuardian", False)),
        sent_on_behalf_of=row.get("sentOnBehalfOf"),
    )


class InboxClient:
    def __init__(self, http: JsonHttp) -> None:
        self._http = http

    async def threads_by_owners(self, owners: Sequence[str]) -> dict[str, list[ThreadRecord]]:
        """Every thread of each owner, newest activity first (the store's order)."""
        body = await self._http.get_json(self._http.url("threads"), {"owner": comma_list(owners)})
        grouped: dict[str, list[ThreadRecord]] = {owner: [] for owner in owners}
        for thread in parse_all(self._http.source, body.get("threads"), _thread):
            grouped.setdefault(thread.owner, []).append(thread)
        return grouped

    async def messages_by_threads(self, thread_ids: Sequence[str]) -> dict[str, list[MessageRecord]]:
        """Every message of each thread, newest first (the store's order)."""
        body = await self._http.get_json(self._http.url("messages"), {"threads": comma_list(thread_ids)})
        grouped: dict[str, list[MessageRecord]] = {tid: [] for tid in thread_ids}
        for message in parse_all(self._http.source, body.get("messages"), _message):
            grouped.setdefault(message.thread_id, []).append(message)
        return grouped
