"""Inbox events as records: the wire keeps its strings, the record holds an `InboxEventKind`, and an event
of a kind this replica does not know is dropped with a warning, never delivered half understood."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid

import pytest
from redis.asyncio import Redis

from gateway.core.events import InboxEventKind, InboxEventRecord
from gateway.core.on_redis.events import RedisEventBus
from sandbox.seed import KARI
from tests.support import redis_url_or_skip

AT = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
# An event as every gateway so far has published it.
PUBLISHED = (
    b'{"kind":"NEW_MESSAGE","subjectId":"12848510058","threadId":"th-kari-001","messageId":"m-1",'
    b'"at":"2026-11-26T09:00:00+00:00"}'
)


def test_an_event_is_published_in_the_same_strings_as_before() -> None:
    event = InboxEventRecord.from_json(PUBLISHED)
    assert event == InboxEventRecord(InboxEventKind.NEW_MESSAGE, KARI, "th-kari-001", "m-1", AT)
    assert event.kind is InboxEventKind.NEW_MESSAGE
    assert event.to_json() == PUBLISHED


def test_an_event_of_an_unknown_kind_is_refused_at_the_boundary() -> None:
    with pytest.raises(ValueError, match="PINNED"):
        InboxEventRecord.from_json(PUBLISHED.replace(b"NEW_MESSAGE", b"PINNED"))


async def test_a_replica_drops_an_event_of_an_unknown_kind_and_delivers_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Published by a newer replica, say: this one's subscribers never see it, and their stream goes on."""
    url, prefix = redis_url_or_skip(), f"test-{uuid.uuid4().hex}:"
    publisher, listener = Redis.from_url(url), Redis.from_url(url)
    bus = RedisEventBus(publisher, listener, prefix)
    read = InboxEventRecord(InboxEventKind.READ, KARI, "th-kari-001", None, AT)
    try:
        async with bus.subscribe(KARI) as queue:
            await bus.wait_for_subscribers(KARI)
            with caplog.at_level(logging.WARNING, logger="gateway.core.events"):
                await publisher.publish(f"{prefix}inbox:{KARI}", PUBLISHED.replace(b"NEW_MESSAGE", b"PINNED"))
                await bus.publish(read)
                delivered = await asyncio.wait_for(queue.get(), timeout=30)
    finally:
        await bus.close()
        await listener.aclose()
        await publisher.aclose()
    assert delivered == read
    assert [r.getMessage() for r in caplog.records if r.name == "gateway.core.events"] == [
        "ignoring a malformed inbox event: 'PINNED' is not a valid InboxEventKind"
    ]
