"""Subscription: live inbox events over GraphQL over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated, TypeAlias

import strawberry

from gateway.engine import selected
from gateway.policy.vocabulary import Service
from gateway.request.context import Info
from gateway.resolvers import live, threads
from gateway.resolvers.live import LiveEvent
from gateway.schema.directives import service_subscription
from gateway.schema.enums import describe
from gateway.schema.thread import Message, Thread


class _InboxEventKind(Enum):
    NEW_MESSAGE = "NEW_MESSAGE"
    READ = "READ"
    ARCHIVED = "ARCHIVED"
    UNARCHIVED = "UNARCHIVED"


InboxEventKind: TypeAlias = _InboxEventKind
describe(
    InboxEventKind,
    "What happened in the inbox.",
    {
        "NEW_MESSAGE": "A message was sent or received.",
        "READ": "Messages were marked as read.",
        "ARCHIVED": "The thread was archived.",
        "UNARCHIVED": "The thread was moved back from the archive.",
    },
    name="InboxEventKind",
)


@strawberry.type(description="A change in a person's inbox, delivered only if the viewer may see it.")
class InboxEvent:
    event: strawberry.Private[LiveEvent]

    @strawberry.field(description="What happened.")
    def kind(self) -> InboxEventKind:
        return InboxEventKind(self.event.record.kind)

    @strawberry.field(description="The thread it happened in, as the viewer may see it.")
    async def thread(self, info: Info) -> Thread | None:
        event = self.event
        (view,) = await threads.prepared(info.context, event.subject, [event.thread], selected(info))
        return Thread(view=view, owner=event.subject)

    @strawberry.field(description="The new message (NEW_MESSAGE only).")
    def message(self) -> Message | None:
        if self.event.message is None:
            return None
        return Message(record=self.event.message, thread=self.event.thread, owner=self.event.subject)

    @strawberry.field(description="When it happened.")
    def at(self) -> dt.datetime:
        return self.event.record.at


@strawberry.type(description="Live updates over WebSocket (graphql-transport-ws; token in connection_init).")
class Subscription:
    @service_subscription(
        Service.INNBOKS,
        "person_id",
        description="Inbox events of a person the viewer may act for. The right is checked again for every "
        "event; when it ends (a revoked fullmakt, an expired token) the stream ends with the error.",
    )
    async def inbox_events(
        self,
        info: Info,
        person_id: Annotated[
            strawberry.ID, strawberry.argument(description="Whose inbox: self or a represented person.")
        ],
    ) -> AsyncGenerator[InboxEvent, None]:
        async for event in live.inbox_events(info.context, str(person_id)):
            yield InboxEvent(event=event)
