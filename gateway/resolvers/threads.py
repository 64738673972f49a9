"""Innboks: a subject's threads and messages, as the rules let the viewer see them
(docs/access-rules.md#item-filtering)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec

from gateway.engine import Selection
from gateway.policy.access import (
    Item,
    ItemVerdicts,
    category_item,
    item_visible,
    judges_each_message,
    messages_visible,
    needs_service_kinds,
    written_for_a_child,
)
from gateway.policy.catalog import ATTACHMENT_SERVICE
from gateway.policy.vocabulary import MessageCategory, Service, ServiceKind, Visibility
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.contacts import ContactDetails, visible_contacts, with_details
from gateway.resolvers.items import counterpart_kinds
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.sources.errors import SourceError
from gateway.sources.loaders import load_by_key
from gateway.sources.records import AttachmentRecord, ContactRecord, Direction, MessageRecord, ThreadRecord

T = TypeVar("T")


class Counterpart(msgspec.Struct, frozen=True):
    contact: ContactRecord | None  # None: none that the viewer may see
    # Its organisation and practitioner, or the upstream error loading them met (its fields fail with it).
    details: ContactDetails | SourceError | None


class ThreadView(msgspec.Struct, frozen=True):
    """A thread as the viewer may see it, with what its fields read.

    `messages` are the messages the viewer may see (`hidden_messages` counts the others). When the
    rules judge messages one by one (`judges_each_message`: a parent, or the subject as viewer at any
    age, youth access included; then `judged`), they are loaded to decide whether the thread is shown
    at all, and the thread's date and unread count come from them, so a withheld message does not show
    through them. Otherwise (a fullmakt holder, whose threads are judged as a whole by their category)
    every message is visible, and they are loaded, like `counterpart`, when the query selects them
    (`prepared`). Either may hold the upstream error its loading met instead: the field that reads it
    fails with it. (A msgspec Struct: made again for every thread of a page, it costs a tenth of a
    frozen dataclass.)
    """

    record: ThreadRecord
    listing: Visibility
    kind: ServiceKind | None
    last_message_at: dt.datetime
    unread_count: int  # of the messages the viewer may see
    judged: bool = False
    messages: tuple[MessageRecord, ...] | SourceError | None = None
    hidden_messages: int = 0
    counterpart: Counterpart | SourceError | None = None

    @classmethod
    def whole(cls, record: ThreadRecord, listing: Visibility, kind: ServiceKind | None) -> ThreadView:
        """A thread every message of which the viewer may see."""
        return cls(record, listing, kind, record.last_message_at, record.unread_count)

    @classmethod
    def judged_by_message(
        cls,
        record: ThreadRecord,
        listing: Visibility,
        kind: ServiceKind | None,
        visible: tuple[MessageRecord, ...],
        hidden: int,
    ) -> ThreadView:
        """A thread whose messages the rules looked at one by one; `visible` is never empty."""
        return cls(
            record,
            listing,
            kind,
            max(m.sent_at for m in visible),
            sum(1 for m in visible if m.direction is Direction.IN and m.read_at is None),
            True,
            visible,
            hidden,
        )


def at_hand(value: T | SourceError | None, what: str) -> T:
    """A thread's loaded part, or the upstream error that loading it met."""
    if isinstance(value, SourceError):
        raise value
    if value is None:
        # Every resolver that hands out a thread prepares what the query selects (`prepared`).
        raise RuntimeError(f"the thread's {what} were not loaded with it")
    return value


async def visible_threads(
    ctx: GatewayContext, subject: Subject, threads: list[ThreadRecord]
) -> tuple[list[ThreadView], int]:
    """The threads the viewer may see, and how many were withheld."""
    listing = ctx.decisions.service(subject, Service.INNBOKS)
    access = subject.access
    per_message = judges_each_message(access)
    # Both asked for at once, before any await: every subject's messages of a request go in one batch.
    kinds, messages = await asyncio.gather(
        counterpart_kinds(ctx, subject) if needs_service_kinds(access) else _nothing({}),
        ctx.loaders.messages_by_thread.load_many([t.id for t in threads]) if per_message else _nothing([]),
    )
    visible = ItemVerdicts(access, listing)
    born = subject.person.birth_date
    shown: list[ThreadView] = []
    for index, thread in enumerate(threads):
        kind = kinds.get(thread.counterpart_contact_id or "")
        item = category_item(thread.category, kind)
        if item is None:
            continue
        if not per_message or not messages[index]:
            if visible(item):
                shown.append(ThreadView.whole(thread, listing, kind))
            continue
        in_thread = messages[index]
        judged = messages_visible(
            visible,
            item,
            [m.hidden_from_guardian for m in in_thread],
            [written_for_a_child(born, m.sent_at, m.sent_on_behalf_of) for m in in_thread],
        )
        seen = tuple(m for m, ok in zip(in_thread, judged, strict=True) if ok)
        if seen:
            shown.append(ThreadView.judged_by_message(thread, listing, kind, seen, len(in_thread) - len(seen)))
    return shown, len(threads) - len(shown)


async def _nothing(value: Any) -> Any:
    return value


def _thread_key(view: ThreadView) -> SortKey:
    return (instant_key(view.last_message_at), view.record.id)


def _message_key(message: MessageRecord) -> SortKey:
    return (instant_key(message.sent_at), message.id)


# The same orders as the cursor keys above, from the values themselves: sorting makes no strings.
def _thread_order(view: ThreadView) -> tuple[dt.datetime, str]:
    return (view.last_message_at, view.record.id)


def _message_order(message: MessageRecord) -> tuple[dt.datetime, str]:
    return (message.sent_at, message.id)


async def thread_page(
    ctx: GatewayContext,
    subject: Subject,
    *,
    first: int | None,
    after: str | None,
    category: MessageCategory | None,
    archived: bool | None,
) -> Page[ThreadView]:
    """The subject's threads, latest activity first; withheld ones counted in hiddenCount."""
    check_first(first)
    threads = await ctx.loaders.threads_by_owner.load(subject.person.id)
    chosen = [
        t
        for t in threads
        if (category is None or t.category == category) and (archived is None or t.archived == archived)
    ]
    views, hidden = await visible_threads(ctx, subject, chosen)
    views.sort(key=_thread_order, reverse=True)
    return paginate("Thread", views, key=_thread_key, descending=True, first=first, after=after, hidden_count=hidden)


async def thread_by_id(ctx: GatewayContext, subject: Subject, thread_id: str) -> ThreadView | None:
    """One of the subject's threads; another owner's thread, or a withheld one, is as absent as an unknown id."""
    threads = await ctx.loaders.threads_by_owner.load(subject.person.id)
    found = [t for t in threads if t.id == thread_id]
    views, _ = await visible_threads(ctx, subject, found)
    return views[0] if views else None


async def prepared(
    ctx: GatewayContext, subject: Subject, views: Sequence[ThreadView], selection: Selection
) -> list[ThreadView]:
    """The threads with what the query selects of them loaded: their messages and their
    counterparts (with organisation and practitioner), each kind in one batch for all the threads
    and both at once, so each thread's fields then resolve without an upstream call of their own.
    An upstream that fails here fails the field of each thread that reads its part, not the list."""
    wants_messages = "messages" in selection and any(view.messages is None for view in views)
    wants_counterparts = "counterpart" in selection and any(view.counterpart is None for view in views)
    if not (wants_messages or wants_counterparts):
        return list(views)
    results = await asyncio.gather(
        _messages_of(ctx, views) if wants_messages else _nothing({}),
        _counterparts_of(ctx, subject, views) if wants_counterparts else _nothing({}),
        return_exceptions=True,
    )
    messages, counterparts = (_loaded_or_failed(result) for result in results)
    return [
        msgspec.structs.replace(
            view,
            messages=_part(messages, view.record.id, view.messages),
            counterpart=_part(counterparts, view.record.id, view.counterpart),
        )
        for view in views
    ]


def _loaded_or_failed(result: dict[str, Any] | BaseException) -> dict[str, Any] | SourceError:
    if isinstance(result, SourceError):
        return result
    if isinstance(result, BaseException):
        raise result
    return result


def _part(loaded: dict[str, Any] | SourceError, thread_id: str, known: Any) -> Any:
    if known is not None:
        return known
    return loaded if isinstance(loaded, SourceError) else loaded.get(thread_id)


async def _messages_of(ctx: GatewayContext, views: Sequence[ThreadView]) -> dict[str, tuple[MessageRecord, ...]]:
    missing = [view.record.id for view in views if view.messages is None]
    found = await load_by_key(ctx.loaders.messages_by_thread, missing)
    return {thread_id: tuple(messages) for thread_id, messages in found.items()}


async def _counterparts_of(
    ctx: GatewayContext, subject: Subject, views: Sequence[ThreadView]
) -> dict[str, Counterpart]:
    wanted = {view.record.counterpart_contact_id for view in views if view.record.counterpart_contact_id}
    shown = await visible_contacts(ctx, subject, wanted)
    details = await with_details(ctx, list(shown.values()))
    return {
        view.record.id: Counterpart(contact, details[contact.id] if contact else None)
        for view in views
        for contact in [shown.get(view.record.counterpart_contact_id or "")]
    }


async def visible_messages(ctx: GatewayContext, view: ThreadView) -> tuple[MessageRecord, ...]:
    """The thread's messages the viewer may see, loaded when they are not at hand."""
    if view.messages is not None:
        return at_hand(view.messages, "messages")
    return tuple(await ctx.loaders.messages_by_thread.load(view.record.id))


def message_page(
    view: ThreadView, messages: tuple[MessageRecord, ...], *, first: int | None, after: str | None
) -> Page[MessageRecord]:
    """A thread's visible messages, newest first; withheld ones counted in hiddenCount."""
    check_first(first)
    ordered = sorted(messages, key=_message_order, reverse=True)
    return paginate(
        "Message",
        ordered,
        key=_message_key,
        descending=True,
        first=first,
        after=after,
        hidden_count=view.hidden_messages,
    )


def visible_attachments(
    subject: Subject, view: ThreadView, message: MessageRecord
) -> tuple[list[AttachmentRecord], int]:
    """Attachments belong to PASIENTJOURNAL: shown only where that service is available too."""
    item = Item(ATTACHMENT_SERVICE, view.kind, message.hidden_from_guardian, None, False)
    if item_visible(subject.access, view.listing, item):
        return list(message.attachments), 0
    return [], len(message.attachments)
