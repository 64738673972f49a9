"""Writing in the Innboks (docs/access-rules.md#writing): new threads, replies, read state and archive.

Each write goes through the same rules as reading: the mutation's `ServiceGate` has already
decided the subject and the service (DIGITAL_DIALOG to write, INNBOKS to keep the inbox in order)
before these run, and the thread must be one the viewer may see. Input is checked before anything
is sent, so a user error never changes anything upstream. A representative's write is logged before
it is made. Afterwards the request's loaders forget what changed, so the payload (and every later
read) shows the new state.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from gateway.core.events import InboxEventKind, InboxEventRecord
from gateway.policy.catalog import new_thread_category
from gateway.policy.vocabulary import Service
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.contacts import is_current, visible_contacts
from gateway.resolvers.items import contact_kinds
from gateway.resolvers.threads import ThreadView, at_hand, thread_by_id
from gateway.sources.errors import UpstreamRejected
from gateway.sources.records import ContactRole, Direction, MessageRecord

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 10_000
MAX_IDEMPOTENCY_KEY_LENGTH = 200
CONTACT_FIELD = ("input", "contactId")


@dataclass(frozen=True, slots=True)
class InputError:
    """Input a person can correct; nothing was changed."""

    code: str
    field: tuple[str, ...]
    message: str


@dataclass
class WriteResult:
    subject: Subject
    thread: ThreadView | None = None
    message: MessageRecord | None = None
    errors: list[InputError] = field(default_factory=list)


def _text_errors(name: str, value: str, limit: int, what: str) -> list[InputError]:
    if not value.strip():
        return [InputError(f"EMPTY_{name.upper()}", ("input", name), f"Write a {what}.")]
    if len(value) > limit:
        return [
            InputError(
                f"{name.upper()}_TOO_LONG", ("input", name), f"The {what} is {len(value)} characters; at most {limit}."
            )
        ]
    return []


def _key_errors(key: str) -> list[InputError]:
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        return [
            InputError(
                "INVALID_IDEMPOTENCY_KEY",
                ("input", "idempotencyKey"),
                f"Send a unique key of 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters, the same one on every retry.",
            )
        ]
    return []


async def _log_before_write(
    ctx: GatewayContext, subject: Subject, operation: str | None, services: set[Service]
) -> None:
    """A representative's write is logged before it is made: if the log refuses, nothing is written."""
    ctx.decisions.touch(subject, services)
    await ctx.decisions.write_access_log(operation, only=subject)


def _on_behalf_of(ctx: GatewayContext, subject: Subject) -> str | None:
    return None if subject.is_viewer else ctx.principal.pid


def _scoped_key(ctx: GatewayContext, key: str) -> str:
    # Keys are the client's; scope them to the actor so two representatives cannot collide.
    return f"{ctx.principal.pid}:{key}"


def _rejected(exc: UpstreamRejected) -> InputError:
    if exc.status == 422:
        return InputError(
            "IDEMPOTENCY_KEY_REUSED",
            ("input", "idempotencyKey"),
            "This idempotency key was used for a different message; use a new key for a new message.",
        )
    if exc.status == 404:
        return InputError("UNKNOWN_THREAD", ("input", "threadId"), "There is no such thread.")
    return InputError("REJECTED", ("input",), f"The message store refused the message: {exc.reason}")


async def _forget_and_publish(
    ctx: GatewayContext, subject: Subject, kind: InboxEventKind, thread_id: str, message_id: str | None = None
) -> ThreadView | None:
    owner = subject.person.id
    ctx.loaders.threads_by_owner.clear(owner)
    ctx.loaders.messages_by_thread.clear(thread_id)
    await ctx.events.publish(InboxEventRecord(kind, owner, thread_id, message_id, ctx.clock()))
    return await thread_by_id(ctx, subject, thread_id)


async def send_message(
    ctx: GatewayContext,
    operation: str | None,
    *,
    person_id: str,
    contact_id: str,
    subject_line: str,
    body: str,
    idempotency_key: str,
) -> WriteResult:
    """A new thread to one of the subject's current contacts that offers digital dialogue."""
    subject = await ctx.decisions.required_subject(person_id)
    errors = [
        *_text_errors("subject", subject_line, MAX_SUBJECT_LENGTH, "subject"),
        *_text_errors("body", body, MAX_BODY_LENGTH, "message"),
        *_key_errors(idempotency_key),
    ]
    # Only a contact the viewer may see (a contact hidden from a parent is none to write to), and one
    # not seen is answered as one that does not exist.
    contact = (await visible_contacts(ctx, subject, {contact_id})).get(contact_id)
    if contact is None or not is_current(contact, ctx.now):
        errors.append(InputError("UNKNOWN_CONTACT", CONTACT_FIELD, "This is not one of the person's health contacts."))
    elif not contact.offers_digital_dialogue:
        errors.append(InputError("NO_DIGITAL_DIALOG", CONTACT_FIELD, "This contact does not receive messages."))
    if errors or contact is None:
        return WriteResult(subject, errors=errors)
    kind = (await contact_kinds(ctx, [contact]))[contact.id]
    await _log_before_write(ctx, subject, operation, {Service.DIGITAL_DIALOG, Service.INNBOKS})
    try:
        thread, message = await ctx.sources.inbox.create_thread(
            owner=person_id,
            subject=subject_line,
            category=new_thread_category(contact.role is ContactRole.GP, kind),
            counterpart_contact_id=contact.id,
            body=body,
            sent_on_behalf_of=_on_behalf_of(ctx, subject),
            idempotency_key=_scoped_key(ctx, idempotency_key),
        )
    except UpstreamRejected as exc:
        return WriteResult(subject, errors=[_rejected(exc)])
    view = await _forget_and_publish(ctx, subject, InboxEventKind.NEW_MESSAGE, thread.id, message.id)
    return WriteResult(subject, thread=view, message=message)


async def _visible_thread(
    ctx: GatewayContext, subject: Subject, thread_id: str
) -> tuple[ThreadView | None, list[InputError]]:
    view = await thread_by_id(ctx, subject, thread_id)
    if view is None:
        return None, [InputError("UNKNOWN_THREAD", ("input", "threadId"), "There is no such thread.")]
    return view, []


async def reply_to_thread(
    ctx: GatewayContext, operation: str | None, *, person_id: str, thread_id: str, body: str, idempotency_key: str
) -> WriteResult:
    """A reply in a thread the viewer may see, to a counterpart that receives messages."""
    subject = await ctx.decisions.required_subject(person_id)
    errors = [*_text_errors("body", body, MAX_BODY_LENGTH, "message"), *_key_errors(idempotency_key)]
    view, thread_errors = await _visible_thread(ctx, subject, thread_id)
    errors += thread_errors
    if view is not None:
        if view.record.archived:
            errors.append(
                InputError("THREAD_ARCHIVED", ("input", "threadId"), "The thread is archived; move it back to answer.")
            )
        contacts = await ctx.loaders.contacts_by_subject.load(person_id)
        counterpart = next((c for c in contacts if c.id == view.record.counterpart_contact_id), None)
        if counterpart is None or not counterpart.offers_digital_dialogue or not is_current(counterpart, ctx.now):
            errors.append(
                InputError("NO_DIGITAL_DIALOG", ("input", "threadId"), "This thread's sender does not receive replies.")
            )
    if errors or view is None:
        return WriteResult(subject, errors=errors)
    await _log_before_write(ctx, subject, operation, {Service.DIGITAL_DIALOG, Service.INNBOKS})
    try:
        message = await ctx.sources.inbox.post_message(
            thread_id,
            body=body,
            sent_on_behalf_of=_on_behalf_of(ctx, subject),
            idempotency_key=_scoped_key(ctx, idempotency_key),
        )
    except UpstreamRejected as exc:
        return WriteResult(subject, errors=[_rejected(exc)])
    view = await _forget_and_publish(ctx, subject, InboxEventKind.NEW_MESSAGE, thread_id, message.id)
    return WriteResult(subject, thread=view, message=message)


async def _thread_to_change(
    ctx: GatewayContext, operation: str | None, person_id: str, thread_id: str
) -> tuple[Subject, ThreadView | None, list[InputError]]:
    """Keeping the inbox in order needs INNBOKS and a thread the viewer sees; logged before the change."""
    subject = await ctx.decisions.required_subject(person_id)
    view, errors = await _visible_thread(ctx, subject, thread_id)
    if view is not None:
        await _log_before_write(ctx, subject, operation, {Service.INNBOKS})
    return subject, view, errors


async def mark_thread_read(
    ctx: GatewayContext, operation: str | None, *, person_id: str, thread_id: str
) -> WriteResult:
    """Marks the messages the viewer can see as read; a message withheld from them stays as it is."""
    subject, view, errors = await _thread_to_change(ctx, operation, person_id, thread_id)
    if view is None:
        return WriteResult(subject, errors=errors)
    inbox = ctx.sources.inbox
    if not view.judged:  # every message is visible: one call marks them all
        await inbox.update_thread(thread_id, read=True)
    else:
        at = ctx.clock().astimezone(dt.UTC)
        unread = [m for m in at_hand(view.messages, "messages") if m.direction is Direction.IN and m.read_at is None]
        await asyncio.gather(*(inbox.mark_message_read(m.id, at) for m in unread))
    return WriteResult(subject, thread=await _forget_and_publish(ctx, subject, InboxEventKind.READ, thread_id))


async def set_archived(
    ctx: GatewayContext, operation: str | None, *, person_id: str, thread_id: str, archived: bool
) -> WriteResult:
    subject, view, errors = await _thread_to_change(ctx, operation, person_id, thread_id)
    if view is None:
        return WriteResult(subject, errors=errors)
    await ctx.sources.inbox.update_thread(thread_id, archived=archived)
    change = InboxEventKind.ARCHIVED if archived else InboxEventKind.UNARCHIVED
    return WriteResult(subject, thread=await _forget_and_publish(ctx, subject, change, thread_id))
