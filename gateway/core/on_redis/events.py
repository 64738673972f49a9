"""Inbox events through Redis: pub/sub, one channel per subject, or on Redis Cluster sharded pub/sub
(`ShardedEventBus`). What they promise, and what a lost connection does, is in core/events.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from gateway.core.errors import EventsUnavailable
from gateway.core.events import LISTEN_WITHIN_S, InboxEventRecord, LocalFanOut, Queue
from gateway.core.metrics import INBOX_EVENTS_DROPPED

log = logging.getLogger("gateway.core.events")


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
        self._local = LocalFanOut()
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
        self._local = LocalFanOut()
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

    def __init__(self, redis: Redis, local: LocalFanOut) -> None:
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
