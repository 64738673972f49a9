"""Innboks: a subject's threads and messages, as the rules let the viewer see them (DESIGN.md 4.5)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from gateway.policy.access import (
    Item,
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
from gateway.resolvers.contacts import ContactDetails, details_of, visible_contacts
from gateway.resolvers.items import counterpart_kinds
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.sources.errors import SourceError
from gateway.sources.loaders import load_by_key
from gateway.sources.records import AttachmentRecord, ContactRecord, Direction, MessageRecord, ThreadRecord


@dataclass(frozen=True, slots=True)
class Counterpart:
    contact: ContactRecord | None  # None: none that the viewer may see
    details: ContactDetails | None


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread as the viewer may see it.

    `messages` holds the visible messages when the rules look at messages one by one (a parent, or
    youth access); then the thread's date and unread count come from those alone, so a withheld
    message does not show through them. None means every message is visible (loaded on demand).
    """

    record: ThreadRecord
    listing: Visibility
    kind: ServiceKind | None
    messages: tuple[MessageRecord, ...] | None = None
    hidden_messages: int = 0
    # Every message, when they were loaded with the page (`prepare_page`) though none was withheld.
    loaded: tuple[MessageRecord, ...] | None = None
    # The counterpart as the viewer may see it, when it was loaded with the page.
    counterpart: Counterpart | None = None

    @property
    def messages_at_hand(self) -> tuple[MessageRecord, ...] | None:
        """The messages the viewer may see, if they are loaded already."""
        return self.messages if self.messages is not None else self.loaded

    @property
    def last_message_at(self) -> dt.datetime:
        if self.messages:
            return max(m.sent_at for m in self.messages)
        return self.record.last_message_at

    @property
    def unread_count(self) -> int:
        if self.messages is None:
            return self.record.unread_count
        return sum(1 for m in self.messages if m.direction is Direction.IN and m.read_at is None)


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
    shown: list[ThreadView] = []
    for index, thread in enumerate(threads):
        kind = kinds.get(thread.counterpart_contact_id or "")
        item = category_item(thread.category, kind)
        if item is None:
            continue
        if not per_message or not messages[index]:
            if item_visible(access, listing, item):
                shown.append(ThreadView(thread, listing, kind))
            continue
        in_thread = messages[index]
        judged = messages_visible(
            access,
            listing,
            item,
            [m.hidden_from_guardian for m in in_thread],
            [written_for_a_child(subject.person.birth_date, m.sent_at, m.sent_on_behalf_of) for m in in_thread],
        )
        visible = tuple(m for m, ok in zip(in_thread, judged, strict=True) if ok)
        if visible:
            shown.append(ThreadView(thread, listing, kind, visible, len(in_thread) - len(visible)))
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


async def prepare_page(
    ctx: GatewayContext, subject: Subject, page: Page[ThreadView], *, messages: bool, counterparts: bool
) -> Page[ThreadView]:
    """The page with what its threads' fields will read at hand: their messages and their
    counterparts, each kind loaded in one batch for the page and both at once, so each thread's
    fields then resolve without an awaitable per thread."""
    loading_messages = _messages_of(ctx, page) if messages else _nothing({})
    loading_counterparts = _counterparts_of(ctx, subject, page) if counterparts else _nothing({})
    results = await asyncio.gather(loading_messages, loading_counterparts, return_exceptions=True)
    # A source that fails here is left for each thread's own field to load, and fail, by itself: its
    # error then nulls that field only, never the page.
    loaded, counterpart = (_at_hand_or_nothing(result) for result in results)
    items = [
        dataclasses.replace(
            view,
            loaded=loaded.get(view.record.id, view.loaded),
            counterpart=counterpart.get(view.record.id, view.counterpart),
        )
        for view in page.items
    ]
    return dataclasses.replace(page, items=items)


def _at_hand_or_nothing(result: dict[str, Any] | BaseException) -> dict[str, Any]:
    if isinstance(result, SourceError):
        return {}
    if isinstance(result, BaseException):
        raise result
    return result


async def _messages_of(ctx: GatewayContext, page: Page[ThreadView]) -> dict[str, tuple[MessageRecord, ...]]:
    missing = [view.record.id for view in page.items if view.messages_at_hand is None]
    found = await load_by_key(ctx.loaders.messages_by_thread, missing)
    return {thread_id: tuple(messages) for thread_id, messages in found.items()}


async def _counterparts_of(ctx: GatewayContext, subject: Subject, page: Page[ThreadView]) -> dict[str, Counterpart]:
    wanted = {view.record.counterpart_contact_id for view in page.items if view.record.counterpart_contact_id}
    shown = await visible_contacts(ctx, subject, wanted)
    contacts = list(shown.values())
    details = dict(zip([c.id for c in contacts], await details_of(ctx, contacts), strict=True))
    return {
        view.record.id: Counterpart(contact, details.get(contact.id) if contact else None)
        for view in page.items
        for contact in [shown.get(view.record.counterpart_contact_id or "")]
    }


async def load_message_page(
    ctx: GatewayContext, view: ThreadView, *, first: int | None, after: str | None
) -> Page[MessageRecord]:
    """As `message_page`, loading the thread's messages first when they are not at hand."""
    check_first(first)  # a bad page size costs no upstream call
    return message_page(view, await visible_messages(ctx, view), first=first, after=after)


async def visible_messages(ctx: GatewayContext, view: ThreadView) -> tuple[MessageRecord, ...]:
    """The thread's messages the viewer may see, loaded when they are not at hand."""
    at_hand = view.messages_at_hand
    return at_hand if at_hand is not None else tuple(await ctx.loaders.messages_by_thread.load(view.record.id))


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
