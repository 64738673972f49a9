"""Innboks: a subject's threads and the messages in them."""

from __future__ import annotations

from gateway.context import GatewayContext
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.resolvers.subjects import Subject
from gateway.sources.records import MessageRecord, ThreadRecord


def _thread_key(thread: ThreadRecord) -> SortKey:
    return (instant_key(thread.last_message_at), thread.id)


def _message_key(message: MessageRecord) -> SortKey:
    return (instant_key(message.sent_at), message.id)


async def thread_page(
    ctx: GatewayContext,
    subject: Subject,
    *,
    first: int | None,
    after: str | None,
    category: str | None,
    archived: bool | None,
) -> Page[ThreadRecord]:
    """The subject's threads, latest activity first."""
    check_first(first)
    threads = await ctx.loaders.threads_by_owner.load(subject.person.id)
    chosen = [
        t
        for t in threads
        if (category is None or t.category == category) and (archived is None or t.archived == archived)
    ]
    chosen.sort(key=_thread_key, reverse=True)
    return paginate("Thread", chosen, key=_thread_key, descending=True, first=first, after=after)


async def thread_by_id(ctx: GatewayContext, subject: Subject, thread_id: str) -> ThreadRecord | None:
    """One of the subject's threads; another owner's thread is as absent as an unknown id."""
    threads = await ctx.loaders.threads_by_owner.load(subject.person.id)
    return next((t for t in threads if t.id == thread_id), None)


async def message_page(
    ctx: GatewayContext, thread: ThreadRecord, *, first: int | None, after: str | None
) -> Page[MessageRecord]:
    """A thread's messages, newest first."""
    check_first(first)
    messages = sorted(await ctx.loaders.messages_by_thread.load(thread.id), key=_message_key, reverse=True)
    return paginate("Message", messages, key=_message_key, descending=True, first=first, after=after)
