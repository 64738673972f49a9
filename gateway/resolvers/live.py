"""Live inbox events for a subscription (docs/architecture.md#subscriptions): each event is a request of its own.

For every event the request is renewed (fresh loaders, the current time, no remembered decisions)
and the event's thread and message are loaded through the rules, so a parent or proxy only receives
what they could read; an event about something withheld is not delivered at all. The
subscription's `ServiceGate` decides the viewer's right again for every event, and at least every
`recheck_s` seconds without one, and writes the access log before an event is delivered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from gateway.core.errors import EventsUnavailable
from gateway.core.events import InboxEventKind, InboxEventRecord, Interrupted
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.threads import ThreadView, thread_by_id, visible_messages
from gateway.sources.records import MessageRecord

# Remembered NEW_MESSAGE ids per stream, to drop a repeat after a retried mutation.
REMEMBERED_MESSAGES = 1000


@dataclass(frozen=True, slots=True)
class LiveEvent:
    record: InboxEventRecord
    subject: Subject
    thread: ThreadView
    message: MessageRecord | None


async def _visible(ctx: GatewayContext, subject: Subject, event: InboxEventRecord) -> LiveEvent | None:
    view = await thread_by_id(ctx, subject, event.thread_id)
    if view is None:
        return None
    message = None
    if event.message_id is not None:
        message = next((m for m in await visible_messages(ctx, view) if m.id == event.message_id), None)
        if message is None:
            return None
    return LiveEvent(event, subject, view, message)


async def inbox_events(ctx: GatewayContext, person_id: str) -> AsyncIterator[LiveEvent]:
    delivered: OrderedDict[str, None] = OrderedDict()
    async with ctx.events.subscribe(person_id) as queue:
        while True:
            event = await queue.get()
            if isinstance(event, Interrupted):
                raise EventsUnavailable()
            if event.kind is InboxEventKind.NEW_MESSAGE and event.message_id in delivered:
                continue
            ctx.renew()
            live = await _visible(ctx, await ctx.decisions.required_subject(person_id), event)
            if live is None:
                continue
            if event.kind is InboxEventKind.NEW_MESSAGE and event.message_id:
                delivered[event.message_id] = None
                while len(delivered) > REMEMBERED_MESSAGES:
                    delivered.popitem(last=False)
            yield live
