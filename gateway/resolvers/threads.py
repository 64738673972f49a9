"""Innboks: a subject's threads and messages, as the rules let the viewer see them (DESIGN.md 4.5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from gateway.policy.access import (
    Item,
    category_item,
    item_visible,
    judges_each_message,
    messages_visible,
    needs_service_kinds,
)
from gateway.policy.catalog import ATTACHMENT_SERVICE
from gateway.policy.vocabulary import MessageCategory, Service, ServiceKind, Visibility
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.items import counterpart_kinds
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.sources.records import AttachmentRecord, Direction, MessageRecord, ThreadRecord


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
    # Every message, when they were loaded with the page (`with_messages`) though none was withheld.
    loaded: tuple[MessageRecord, ...] | None = None

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
    kinds = await counterpart_kinds(ctx, subject) if needs_service_kinds(access) else {}
    per_message = judges_each_message(access)
    messages = await ctx.loaders.messages_by_thread.load_many([t.id for t in threads]) if per_message else []
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
            [m.sent_on_behalf_of is not None for m in in_thread],
        )
        visible = tuple(m for m, ok in zip(in_thread, judged, strict=True) if ok)
        if visible:
            shown.append(ThreadView(thread, listing, kind, visible, len(in_thread) - len(visible)))
    return shown, len(threads) - len(shown)


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


async def with_messages(ctx: GatewayContext, page: Page[ThreadView]) -> Page[ThreadView]:
    """The page with every thread's messages at hand, loaded in one batch: each thread's messages
    then resolve at once, with no awaitable per thread."""
    missing = [view for view in page.items if view.messages_at_hand is None]
    if not missing:
        return page
    found = await ctx.loaders.messages_by_thread.load_many([view.record.id for view in missing])
    loaded = {view.record.id: tuple(messages) for view, messages in zip(missing, found, strict=True)}
    items = [
        view if view.messages_at_hand is not None else dataclasses.replace(view, loaded=loaded[view.record.id])
        for view in page.items
    ]
    return dataclasses.replace(page, items=items)


async def load_message_page(
    ctx: GatewayContext, view: ThreadView, *, first: int | None, after: str | None
) -> Page[MessageRecord]:
    """As `message_page`, loading the thread's messages first when they are not at hand."""
    messages = view.messages_at_hand
    if messages is None:
        check_first(first)
        messages = tuple(await ctx.loaders.messages_by_thread.load(view.record.id))
    return message_page(view, messages, first=first, after=after)


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
