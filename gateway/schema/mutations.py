"""Mutations: writing in the Innboks. Denials are FORBIDDEN errors as for reads; `userErrors` hold
input a person can correct, and when there are any, nothing was changed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.engine import selected
from gateway.policy.vocabulary import Service
from gateway.request.context import Info
from gateway.resolvers import messaging, threads
from gateway.resolvers.messaging import WriteResult
from gateway.schema.directives import service_mutation
from gateway.schema.thread import Message, Thread


@strawberry.type(description="Input a person can correct. When a payload has any, nothing was changed.")
class UserError:
    code: str = strawberry.field(
        description="Stable code: EMPTY_SUBJECT, SUBJECT_TOO_LONG, EMPTY_BODY, BODY_TOO_LONG, "
        "INVALID_IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_REUSED, UNKNOWN_CONTACT, NO_DIGITAL_DIALOG, UNKNOWN_THREAD, "
        "THREAD_ARCHIVED, REJECTED."
    )
    field: list[str] | None = strawberry.field(description='Path to the input field, e.g. ["input", "body"].')
    message: str = strawberry.field(description="What to correct, in words a person can act on.")


def _user_errors(result: WriteResult) -> list[UserError]:
    return [UserError(code=e.code, field=list(e.field), message=e.message) for e in result.errors]


@strawberry.input(description="A new thread to one of the person's health contacts that offers digital dialogue.")
class SendMessageInput:
    person_id: strawberry.ID = strawberry.field(description="The person the message is for (self or represented).")
    contact_id: strawberry.ID = strawberry.field(description="A current HealthContact with offersDigitalDialogue.")
    subject: str = strawberry.field(description="Subject line, 1 to 200 characters.")
    body: str = strawberry.field(description="The message, 1 to 10000 characters.")
    idempotency_key: str = strawberry.field(
        description="A key unique to this message, sent again unchanged on a retry: a retry returns the first "
        "result and creates nothing new."
    )


@strawberry.input(description="A reply in an existing thread.")
class ReplyToThreadInput:
    person_id: strawberry.ID = strawberry.field(description="The person whose thread it is.")
    thread_id: strawberry.ID = strawberry.field(description="The thread to answer in.")
    body: str = strawberry.field(description="The message, 1 to 10000 characters.")
    idempotency_key: str = strawberry.field(description="A key unique to this reply, the same on every retry.")


@strawberry.input(description="A thread of a person.")
class ThreadInput:
    person_id: strawberry.ID = strawberry.field(description="The person whose thread it is.")
    thread_id: strawberry.ID = strawberry.field(description="The thread.")


@strawberry.type(description="The result of sendMessage.")
class SendMessagePayload:
    result: strawberry.Private[WriteResult]

    @strawberry.field(description="The new thread.")
    async def thread(self, info: Info) -> Thread | None:
        return await _thread(info, self.result)

    @strawberry.field(description="The message that was sent.")
    def message(self) -> Message | None:
        return _message(self.result)

    @strawberry.field(description="Input to correct; when there are any, nothing was sent.")
    def user_errors(self) -> list[UserError]:
        return _user_errors(self.result)


@strawberry.type(description="The result of replyToThread.")
class ReplyToThreadPayload:
    result: strawberry.Private[WriteResult]

    @strawberry.field(description="The reply that was sent.")
    def message(self) -> Message | None:
        return _message(self.result)

    @strawberry.field(description="Input to correct; when there are any, nothing was sent.")
    def user_errors(self) -> list[UserError]:
        return _user_errors(self.result)


@strawberry.type(description="The result of a change to a thread.")
class ThreadPayload:
    result: strawberry.Private[WriteResult]

    @strawberry.field(description="The thread as it is now.")
    async def thread(self, info: Info) -> Thread | None:
        return await _thread(info, self.result)

    @strawberry.field(description="Input to correct; when there are any, nothing was changed.")
    def user_errors(self) -> list[UserError]:
        return _user_errors(self.result)


async def _thread(info: Info, result: WriteResult) -> Thread | None:
    if result.thread is None:
        return None
    (view,) = await threads.prepared(info.context, result.subject, [result.thread], selected(info))
    return Thread(view=view, owner=result.subject)


def _message(result: WriteResult) -> Message | None:
    if result.message is None or result.thread is None:
        return None
    return Message(record=result.message, thread=result.thread, owner=result.subject)


def _thread_args(input: AThread) -> dict[str, str]:
    return {"person_id": str(input.person_id), "thread_id": str(input.thread_id)}


def _operation(info: Info) -> str | None:
    return info.operation.name.value if info.operation.name else None


SendInput = Annotated[SendMessageInput, strawberry.argument(description="The new thread and its first message.")]
ReplyInput = Annotated[ReplyToThreadInput, strawberry.argument(description="The reply.")]
AThread = Annotated[ThreadInput, strawberry.argument(description="The thread to change.")]


@strawberry.type(description="Writes: messages, read state and archive of the Innboks.")
class Mutation:
    @service_mutation(Service.DIGITAL_DIALOG, "input", "person_id", description="Start a thread with a health contact.")
    async def send_message(self, info: Info, input: SendInput) -> SendMessagePayload:
        result = await messaging.send_message(
            info.context,
            _operation(info),
            person_id=str(input.person_id),
            contact_id=str(input.contact_id),
            subject_line=input.subject,
            body=input.body,
            idempotency_key=input.idempotency_key,
        )
        return SendMessagePayload(result=result)

    @service_mutation(Service.DIGITAL_DIALOG, "input", "person_id", description="Answer in a thread.")
    async def reply_to_thread(self, info: Info, input: ReplyInput) -> ReplyToThreadPayload:
        result = await messaging.reply_to_thread(
            info.context,
            _operation(info),
            person_id=str(input.person_id),
            thread_id=str(input.thread_id),
            body=input.body,
            idempotency_key=input.idempotency_key,
        )
        return ReplyToThreadPayload(result=result)

    @service_mutation(
        Service.INNBOKS, "input", "person_id", description="Mark the thread's messages the viewer can see as read."
    )
    async def mark_thread_read(self, info: Info, input: AThread) -> ThreadPayload:
        result = await messaging.mark_thread_read(info.context, _operation(info), **_thread_args(input))
        return ThreadPayload(result=result)

    @service_mutation(Service.INNBOKS, "input", "person_id", description="Move the thread to the archive.")
    async def archive_thread(self, info: Info, input: AThread) -> ThreadPayload:
        result = await messaging.set_archived(
            info.context,
            _operation(info),
            person_id=str(input.person_id),
            thread_id=str(input.thread_id),
            archived=True,
        )
        return ThreadPayload(result=result)

    @service_mutation(Service.INNBOKS, "input", "person_id", description="Move the thread back from the archive.")
    async def unarchive_thread(self, info: Info, input: AThread) -> ThreadPayload:
        result = await messaging.set_archived(
            info.context,
            _operation(info),
            person_id=str(input.person_id),
            thread_id=str(input.thread_id),
            archived=False,
        )
        return ThreadPayload(result=result)
