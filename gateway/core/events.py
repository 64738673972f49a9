"""Inbox events (new message, read, archived) fanned out to live subscriptions.

In-process by default; through Redis pub/sub when REDIS_URL is set, so a message sent through one
gateway replica reaches a subscriber connected to another; on Redis Cluster through sharded pub/sub
(`ShardedEventBus`), which keeps each channel on one shard instead of sending every event to every
node. An event names only ids: subscribers
load the thread and message through their own request's loaders, so the access rules decide what
each of them may see. Delivery is at least once (a retried mutation publishes again); the
subscription drops repeats of a NEW_MESSAGE it has already delivered.

Redis pub/sub keeps nothing for a subscriber that is not connected. So when a replica's listening
connection is lost, every subscription on that replica ends with EVENTS_UNAVAILABLE (its queue gets
INTERRUPTED) rather than go quiet: the client subscribes again and reloads what it shows. A publish
that fails (Redis down) is dropped with a warning and counted: the write it announces has happened,
and the mutation answers so.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Collection
from dataclasses import dataclass
from typing import Protocol

import orjson
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from gateway.core.errors import EventsUnavailable
from gateway.core.metrics import INBOX_EVENTS_DROPPED

log = logging.getLogger("gateway.core.events")

# A slow subscriber must not hold up the others: its queue is bounded and overflows drop events.
QUEUE_SIZE = 256
# How long a new subscription waits for the listener to join Redis.
LISTEN_WITHIN_S = 10.0


class Interrupted:
    """Put in a subscriber's queue when its events can no longer be delivered: the stream ends."""


INTERRUPTED = Interrupted()


@dataclass(frozen=True, slots=True)
class InboxEventRecord:
    kind: str  # NEW_MESSAGE | READ | ARCHIVED | UNARCHIVED
    subject_id: str
    thread_id: str
    message_id: str | None
    at: dt.datetime

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "kind": self.kind,
                "subjectId": self.subject_id,
                "threadId": self.thread_id,
                "messageId": self.message_id,
                "at": self.at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> InboxEventRecord:
        row = orjson.loads(raw)
        return cls(
            row["kind"], row["subjectId"], row["threadId"], row.get("messageId"), dt.datetime.fromisoformat(row["at"])
        )


Queue = asyncio.Queue[InboxEventRecord | Interrupted]


class EventBus(Protocol):
    async def publish(self, event: InboxEventRecord) -> None:
        """Announce an event; never raises (an event that cannot be published is dropped and counted)."""

    def subscribe(self, subject_id: str) -> contextlib.AbstractAsyncContextManager[Queue]:
        """A queue of the subject's events for as long as the block lasts, until INTERRUPTED."""
        ...


class _LocalFanOut:
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
        self._local = _LocalFanOut()

    async def publish(self, event: InboxEventRecord) -> None:
        self._local.deliver(event)

    def subscribe(self, subject_id: str) -> contextlib.AbstractAsyncContextManager[Queue]:
        return self._local.subscribe(subject_id)

    async def wait_for_subscribers(self, subject_id: str, count: int = 1) -> None:
        """Return once `count` streams of the subject are subscribed: an event published after that reaches them."""
        await self._local.wait_for_subscribers(subject_id, count)


async def _published(sending: Awaitable[object], event: InboxEventRecord) -> None:
    """Send an event to Redis; one that cannot be sent is dropped, logged (its kind only) and counted."""
    try:
        await sending
    except (RedisError, OSError) as exc:
        log.warning("a %s inbox event was not published: %s", event.kind, type(exc).__name__)
        INBOX_EVENTS_DROPPED.labels("publish").inc()


class RedisEventBus:
    """Redis pub/sub, one channel per subject; one listening connection per replica, shared by all
    of its subscribers, started with the first subscription."""

    def __init__(self, publisher: Redis, listener: Redis, prefix: str) -> None:
        self._redis = publisher
        self._listening = listener
        self._prefix = prefix
        self._local = _LocalFanOut()
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    def _channel(self, subject_id: str) -> str:
        return f"{self._prefix}inbox:{subject_id}"

    async def publish(self, event: InboxEventRecord) -> None:
        await _published(self._redis.publish(self._channel(event.subject_id), event.to_json()), event)

    @contextlib.asynccontextmanager
    async def subscribe(self, subject_id: str) -> AsyncIterator[Queue]:
        if self._listener is None or self._listener.done():
            self._ready.clear()
            self._listener = asyncio.create_task(self._listen(), name="inbox-events-listener")
        listener = self._listener
        async with self._local.subscribe(subject_id) as queue:
            # Events published before the pattern subscription is active would be missed.
            ready = asyncio.ensure_future(self._ready.wait())
            await asyncio.wait({ready, listener}, timeout=LISTEN_WITHIN_S, return_when=asyncio.FIRST_COMPLETED)
            if not ready.done():
                ready.cancel()
                raise EventsUnavailable()
            yield queue

    async def wait_for_subscribers(self, subject_id: str, count: int = 1) -> None:
        """Return once `count` streams of the subject on this replica are subscribed and the listener has
        joined Redis: an event published after that, through any replica, reaches them."""
        await self._local.wait_for_subscribers(subject_id, count)
        await self._ready.wait()

    async def _listen(self) -> None:
        """Until the connection is lost; then every subscription of this replica ends (INTERRUPTED),
        and the next subscription starts a new listener."""
        try:
            await self._listen_until_lost()
        except Exception as exc:  # Redis gone, or anything else: never a silent end of the streams
            self._ready.clear()
            ended = self._local.interrupt()
            log.warning("inbox events: lost Redis (%s); %d live subscriptions ended", type(exc).__name__, ended)

    async def _listen_until_lost(self) -> None:
        # Keep subscribe confirmations: "ready" must mean Redis has registered the pattern, not
        # merely that PSUBSCRIBE was sent, or an event published in between would be missed.
        pubsub = self._listening.pubsub(ignore_subscribe_messages=False)
        try:
            await pubsub.psubscribe(self._channel("*"))
            async for message in pubsub.listen():
                if message.get("type") == "psubscribe":
                    self._ready.set()
                    continue
                if message.get("type") != "pmessage":
                    continue
                try:
                    self._local.deliver(InboxEventRecord.from_json(message["data"]))
                except (ValueError, KeyError) as exc:
                    log.warning("ignoring a malformed inbox event: %s", exc)
        finally:
            await pubsub.aclose()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener


class ShardedEventBus:
    """Redis Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7). Each subject has a channel of its
    own slot (`inbox:{<id>}`), served by one shard; a replica subscribes to a subject's channel while
    it has a subscriber of that subject, over one connection per shard it listens to. When a shard's
    connection is lost (its master failed), the subscriptions it carried end with EVENTS_UNAVAILABLE:
    their clients subscribe again, reaching the shard's new master."""

    def __init__(self, cluster: RedisCluster, prefix: str) -> None:
        self._cluster = cluster
        self._prefix = prefix
        self._local = _LocalFanOut()
        self._shards: dict[str, _Shard] = {}
        # Streams whose shard confirmed their subscription, per subject: what wait_for_subscribers waits for.
        self._listening: dict[str, int] = defaultdict(int)
        self._confirmed = asyncio.Condition()

    def _channel(self, subject_id: str) -> str:
        return f"{self._prefix}inbox:{{{subject_id}}}"

    async def publish(self, event: InboxEventRecord) -> None:
        await _published(self._cluster.spublish(self._channel(event.subject_id), event.to_json()), event)

    @contextlib.asynccontextmanager
    async def subscribe(self, subject_id: str) -> AsyncIterator[Queue]:
        channel = self._channel(subject_id)
        async with self._local.subscribe(subject_id) as queue:
            try:
                await self._cluster.initialize()  # the map of slots, once (a no-op after)
                node = self._cluster.get_node_from_key(channel)
            except (RedisError, OSError):
                node = None
            if node is None:
                raise EventsUnavailable()
            shard = self._shards.get(node.name)
            if shard is None or shard.lost:
                shard = self._shards[node.name] = _Shard(Redis(host=node.host, port=int(node.port)), self._local)
            await shard.join(channel, subject_id)
            async with self._confirmed:
                self._listening[subject_id] += 1
                self._confirmed.notify_all()
            try:
                yield queue
            finally:
                self._listening[subject_id] -= 1
                await shard.leave(channel)

    async def wait_for_subscribers(self, subject_id: str, count: int = 1) -> None:
        """Return once `count` streams of the subject on this replica are subscribed and their shard has
        confirmed the subscription: an event published after that, through any replica, reaches them."""
        async with self._confirmed:
            await self._confirmed.wait_for(lambda: self._listening[subject_id] >= count)

    async def close(self) -> None:
        for shard in self._shards.values():
            await shard.close()


class _Shard:
    """One connection to one cluster master, subscribed to the channels of its slots that this replica's
    subscribers need, with the task that reads it."""

    def __init__(self, redis: Redis, local: _LocalFanOut) -> None:
        self._redis = redis
        self._local = local
        self._pubsub = redis.pubsub(ignore_subscribe_messages=False)
        self._subjects: dict[bytes, str] = {}
        self._members: dict[bytes, int] = defaultdict(int)
        self.confirmed: set[bytes] = set()
        self._changed = asyncio.Condition()
        self._commands = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self.lost = False

    async def join(self, channel: str, subject_id: str) -> None:
        key = channel.encode()
        self._members[key] += 1
        if self._members[key] == 1:
            self._subjects[key] = subject_id
            try:
                # One command at a time: redis-py's PubSub connects on its first command, and two at once
                # would each open a connection, one of them then forgotten with its subscription.
                async with self._commands:
                    await self._pubsub.ssubscribe(channel)
            except (RedisError, OSError) as exc:
                self._members[key] -= 1
                raise EventsUnavailable() from exc
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(), name="inbox-events-shard")
        try:
            # "Subscribed" means the shard confirmed it, or an event published in between is missed.
            async with asyncio.timeout(LISTEN_WITHIN_S), self._changed:
                await self._changed.wait_for(lambda: key in self.confirmed or self.lost)
        except TimeoutError:
            raise EventsUnavailable() from None
        if self.lost:
            raise EventsUnavailable()

    async def leave(self, channel: str) -> None:
        key = channel.encode()
        self._members[key] -= 1
        if self._members[key] > 0 or self.lost:
            return
        del self._members[key], self._subjects[key]
        self.confirmed.discard(key)
        with contextlib.suppress(RedisError, OSError):
            async with self._commands:
                await self._pubsub.sunsubscribe(channel)

    async def _read(self) -> None:
        try:
            while True:
                message = await self._pubsub.get_message(timeout=None)
                if message is None:
                    continue
                if message["type"] == "ssubscribe":
                    async with self._changed:
                        self.confirmed.add(message["channel"])
                        self._changed.notify_all()
                elif message["type"] == "smessage":
                    try:
                        self._local.deliver(InboxEventRecord.from_json(message["data"]))
                    except (ValueError, KeyError) as exc:
                        log.warning("ignoring a malformed inbox event: %s", exc)
        except Exception as exc:  # the shard's master gone, or anything else: never a silent end
            self.lost = True
            ended = self._local.interrupt(set(self._subjects.values()))
            log.warning("inbox events: lost a Redis shard (%s); %d live subscriptions ended", type(exc).__name__, ended)
            async with self._changed:
                self._changed.notify_all()
            await self.close()

    async def close(self) -> None:
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
            await self._redis.aclose()
