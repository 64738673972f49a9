"""Live inbox events for a subscription (DESIGN.md 3a): each event is checked like a new request.

The viewer's right to the subject is decided again for every event and at least every
`recheck_s` seconds without one, with fresh loaders and the current time: a revoked fullmakt, a
child's 16th birthday or an expired token ends the stream. The thread and message of an event are
loaded through the rules, so a parent or proxy only receives what they could read; an event about
something withheld is not delivered at all. A representative's every delivered event is logged.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from gateway.core.errors import AuditUnavailable, Forbidden, Unauthenticated
from gateway.core.events import InboxEventRecord
from gateway.policy.vocabulary import Reason, Service
from gateway.request.context import GatewayContext
from gateway.resolvers.audit_trail import pending_entries
from gateway.resolvers.subjects import Subject, resolve_subject, service_visibility
from gateway.resolvers.threads import ThreadView, thread_by_id
from gateway.sources.records import MessageRecord

# Remembered NEW_MESSAGE ids per stream, to drop a repeat after a retried mutation.
REMEMBERED_MESSAGES = 1000


@dataclass(frozen=True, slots=True)
class LiveEvent:
    record: InboxEventRecord
    subject: Subject
    thread: ThreadView
    message: MessageRecord | None


async def _allowed_subject(ctx: GatewayContext, person_id: str) -> Subject:
    expires_at = ctx.principal.expires_at
    if expires_at is not None and time.time() >= expires_at:
        raise Unauthenticated("token has expired")
    subject = await resolve_subject(ctx, person_id)
    if subject is None:
        raise Forbidden(Reason.SERVICE_SCOPE)
    service_visibility(ctx, subject, Service.INNBOKS)
    return subject


async def _visible(ctx: GatewayContext, subject: Subject, event: InboxEventRecord) -> LiveEvent | None:
    view = await thread_by_id(ctx, subject, event.thread_id)
    if view is None:
        return None
    message = None
    if event.message_id is not None:
        messages = view.messages
        if messages is None:
            messages = tuple(await ctx.loaders.messages_by_thread.load(view.record.id))
        message = next((m for m in messages if m.id == event.message_id), None)
        if message is None:
            return None
    return LiveEvent(event, subject, view, message)


async def inbox_events(ctx: GatewayContext, person_id: str, operation: str | None) -> AsyncIterator[LiveEvent]:
    await _allowed_subject(ctx, person_id)
    delivered: OrderedDict[str, None] = OrderedDict()
    async with ctx.events.subscribe(person_id) as queue:
        while True:
            try:
                event: InboxEventRecord | None = await asyncio.wait_for(queue.get(), timeout=ctx.recheck_s)
            except TimeoutError:
                event = None
            ctx.renew()
            subject = await _allowed_subject(ctx, person_id)
            if event is None:
                continue
            if event.kind == "NEW_MESSAGE" and event.message_id in delivered:
                continue
            live = await _visible(ctx, subject, event)
            if live is None:
                continue
            entries = pending_entries(ctx, operation)
            if entries:
                try:
                    await ctx.audit_log.append(entries)
                except Exception as exc:
                    raise AuditUnavailable() from exc
                ctx.audited.update(e.subject_id for e in entries)
            if event.kind == "NEW_MESSAGE" and event.message_id:
                delivered[event.message_id] = None
                while len(delivered) > REMEMBERED_MESSAGES:
                    delivered.popitem(last=False)
            yield live
