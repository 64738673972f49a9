"""Inbox events (new message, read, archived) fanned out to live subscriptions.

In-process by default; through Redis pub/sub when REDIS_URL is set (core/on_redis/events.py), so a
message sent through one gateway replica reaches a subscriber connected to another; on Redis Cluster
through sharded pub/sub, which keeps each channel on one shard instead of sending every event to
every node. An event names only ids: subscribers
load the thread and message through their own request's loaders, so the access rules decide what
each of them may see. Delivery is at least once (a retried mutation publishes again); the
subscription drops repeats of a NEW_MESSAGE it has already delivered.

Redis pub/sub keeps nothing for a subscriber that is not connected. So when a replica's listening
connection is lost, every subscription on that replica ends with EVENTS_UNAVAILABLE (its queue gets
INTERRUPTED) rather than go quiet: the client subscribes again and reloads what it shows. A publish
that fails (Redis down) is dropped with a warning and counted: the write it announces has happened,
and the mutation answers so.

An event goes over Redis as JSON of plain strings, as it always did; the record holds an
`InboxEventKind`, read once where the event comes back (`InboxEventRecord.from_json`). An event of a
kind this replica does not know (a newer replica's) is dropped with a warning by the listener, as a
malformed one is: a subscriber is never handed an event it cannot show.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import orjson

from gateway.core.metrics import INBOX_EVENTS_DROPPED

log = logging.getLogger("gateway.core.events")

# A slow subscriber must not hold up the others: its queue is bounded and overflows drop events.
QUEUE_SIZE = 256
# How long a new subscription waits for the listener to join Redis.
LISTEN_WITHIN_S = 10.0


class Interrupted:
    """Put in a subscriber's queue when its events can no longer be delivered: the stream ends."""


INTERRUPTED = Interrupted()


class InboxEventKind(StrEnum):
    """What happened in a person's inbox. A str, as the wire has it (the schema's enum of the same name
    is read from it by value)."""

    NEW_MESSAGE = "NEW_MESSAGE"
    READ = "READ"
    ARCHIVED = "ARCHIVED"
    UNARCHIVED = "UNARCHIVED"


@dataclass(frozen=True, slots=True)
class InboxEventRecord:
    kind: InboxEventKind
    subject_id: str
    thread_id: str
    message_id: str | None
    at: dt.datetime

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "kind": self.kind.value,
                "subjectId": self.subject_id,
                "threadId": self.thread_id,
                "messageId": self.message_id,
                "at": self.at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> InboxEventRecord:
        """An event as published; KeyError or ValueError for one this replica cannot read, an unknown
        kind among them (the listeners in core/on_redis/events.py drop it with a warning)."""
        row = orjson.loads(raw)
        return cls(
            InboxEventKind(row["kind"]),
            row["subjectId"],
            row["threadId"],
            row.get("messageId"),
            dt.datetime.fromisoformat(row["at"]),
        )


Queue = asyncio.Queue[InboxEventRecord | Interrupted]


class EventBus(Protocol):
    async def publish(self, event: InboxEventRecord) -> None:
        """Announce an event; never raises (an event that cannot be published is dropped and counted)."""

    def subscribe(self, subject_id: str) -> contextlib.AbstractAsyncContextManager[Queue]:
        """A queue of the subject's events for as long as the block lasts, until INTERRUPTED."""
        ...


class LocalFanOut:
    """Queues of this process's subscribers, per subject."""

    def __init__(self) -> None:
        self._queues: dict[str, set[Queue]] = defaultdict(set)
        # Notified when a subscriber joins, so a caller can wait for a stream instead of guessing how long it takes.
        self._joined = asyncio.Condition()

    async def wait_for_subscribers(self, subject_id: str, count: int = 1) -> None:
        async with self._joined:
            await self._joined.wait_for(lambda: len(self._queues.get(subject_id, ())) >= count)

    def deliver(self, event: InboxEventRecord) -> None:
        for queue in list(self._queues.get(event.subject_id, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # The kind only: a subject id is a fødselsnummer, which no log line may carry.
                log.warning("dropping a %s inbox event for a slow subscriber", event.kind)
                INBOX_EVENTS_DROPPED.labels("slow_subscriber").inc()

    def interrupt(self, subject_ids: Collection[str] | None = None) -> int:
        """End every subscription (of `subject_ids` only, when given): each queue's next item is
        INTERRUPTED. How many there were."""
        queues = [
            queue
            for subject_id, subscribers in self._queues.items()
            if subject_ids is None or subject_id in subject_ids
            for queue in subscribers
        ]
        for queue in queues:
            if queue.full():
                queue.get_nowait()  # the stream ends anyway: its last event is lost, not the end
            queue.put_nowait(INTERRUPTED)
        return len(queues)

    @contextlib.asynccontextmanager
    async def subscribe(self, subject_id: str) -> AsyncIterator[Queue]:
        queue: Queue = asyncio.Queue(QUEUE_SIZE)
        self._queues[subject_id].add(queue)
        try:
            async with self._joined:
                self._joined.notify_all()
            yield queue
        finally:
            self._queues[subject_id].discard(queue)
            if not self._queues[subject_id]:
                del self._queues[subject_id]


class MemoryEventBus:
    """One process: publish delivers straight to this process's subscribers."""

    def __init__(self) -> None:
        self._local = LocalFanOut()

    async def publish(self, event: InboxEventRecord) -> None:
        self._local.deliver(event)

    def subscribe(self, subject_id: str) -> contextlib.AbstractAsyncContextManager[Queue]:
        return self._local.subscribe(subject_id)

    async def wait_for_subscribers(self, subject_id: str, count: int = 1) -> None:
        """Return once `count` streams of the subject are subscribed: an event published after that reaches them."""
        await self._local.wait_for_subscribers(subject_id, count)
