"""Thread and Message: the person's Innboks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from gateway.request.context import Info
from gateway.request.decisions import Subject
from gateway.resolvers import threads
from gateway.resolvers.contacts import contact_by_id, details_or_failure
from gateway.resolvers.threads import ThreadView, at_hand
from gateway.schema.common import Connection
from gateway.schema.contact import HealthContact
from gateway.schema.enums import Direction, MessageCategory
from gateway.sources.records import AttachmentRecord, MessageRecord, ThreadRecord

if TYPE_CHECKING:
    from gateway.schema.person import Person

# Person lists threads, so this module does not import it: the type is named lazily in the schema,
# and the class is found through the built schema when a representative is shown.
PersonType = Annotated["Person", strawberry.lazy("gateway.schema.person")]


def _person(info: Info, subject: Subject | None) -> Person | None:
    if subject is None:
        return None
    definition = info.schema.get_type_by_name("Person")
    assert isinstance(definition, StrawberryObjectDefinition)
    person: Person = definition.origin(owner=subject)
    return person


@strawberry.type(description="A file attached to a message (a journal document, a letter).")
class Attachment:
    record: strawberry.Private[AttachmentRecord]

    @strawberry.field(description="Stable id of the attachment.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="File name.")
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="MIME type.")
    def content_type(self) -> str:
        return self.record.content_type

    @strawberry.field(description="Size in bytes.")
    def size(self) -> int:
        return self.record.size


async def _contact(info: Info, subject: Subject, contact_id: str | None) -> HealthContact | None:
    if contact_id is None:
        return None
    contact = await contact_by_id(info.context, subject, contact_id)
    if contact is None:
        return None
    return HealthContact(record=contact, owner=subject, details=await details_or_failure(info.context, contact))


@strawberry.type(description="One message in a thread.")
class Message:
    record: strawberry.Private[MessageRecord]
    thread: strawberry.Private[ThreadView]
    owner: strawberry.Private[Subject]

    @strawberry.field(description="Stable id of the message.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="IN: from a health contact to the person; OUT: written by the person.")
    def direction(self) -> Direction:
        return self.record.direction

    @strawberry.field(description="When it was sent.")
    def sent_at(self) -> dt.datetime:
        return self.record.sent_at

    @strawberry.field(description="When the person read it; null while unread.")
    def read_at(self) -> dt.datetime | None:
        return self.record.read_at

    @strawberry.field(description="The message text.")
    def body(self) -> str:
        return self.record.body

    @strawberry.field(
        description="Attached files (journal documents: service PASIENTJOURNAL, shown only where it is available)."
    )
    def attachments(self) -> list[Attachment]:
        shown, _ = threads.visible_attachments(self.owner, self.thread, self.record)
        return [Attachment(record=a) for a in shown]

    @strawberry.field(description="How many attachments the access rules withhold (for example from a parent).")
    def hidden_attachment_count(self) -> int:
        _, hidden = threads.visible_attachments(self.owner, self.thread, self.record)
        return hidden

    @strawberry.field(description="The health contact who sent it (IN messages).")
    async def sender(self, info: Info) -> HealthContact | None:
        return await _contact(info, self.owner, self.record.sender_contact_id)

    @strawberry.field(description="The representative (parent or fullmakt holder) who wrote it for the person.")
    async def sent_on_behalf_of(self, info: Info) -> PersonType | None:
        if self.record.sent_on_behalf_of is None:
            return None
        return _person(info, await info.context.decisions.subject(self.record.sent_on_behalf_of))


@strawberry.type(description="A conversation in the Innboks with one health contact.")
class Thread:
    view: strawberry.Private[ThreadView]
    owner: strawberry.Private[Subject]

    @property
    def record(self) -> ThreadRecord:
        return self.view.record

    @strawberry.field(description="Stable id of the thread.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The subject line.")
    def subject(self) -> str:
        return self.record.subject

    @strawberry.field(description="Which kind of message this is (and so which service it belongs to).")
    def category(self) -> MessageCategory:
        # A thread of an unknown category is withheld (it belongs to no service), so it is never None here.
        return self.record.category  # type: ignore[return-value]

    @strawberry.field(description="When the latest message the viewer may see was sent.")
    def last_message_at(self) -> dt.datetime:
        return self.view.last_message_at

    @strawberry.field(description="How many of the messages the viewer may see are unread.")
    def unread_count(self) -> int:
        return self.view.unread_count

    @strawberry.field(description="Whether the person has archived the thread.")
    def archived(self) -> bool:
        return self.record.archived

    @strawberry.field(description="The health contact on the other side.")
    def counterpart(self) -> HealthContact | None:
        known = at_hand(self.view.counterpart, "counterpart")
        if known.contact is None or known.details is None:
            return None
        return HealthContact(record=known.contact, owner=self.owner, details=known.details)

    @strawberry.field(description="The thread's messages, newest first.")
    def messages(
        self,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1 to 100 (default 20).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor of the last item seen.")] = None,
    ) -> Connection[Message]:
        page = threads.message_page(self.view, at_hand(self.view.messages, "messages"), first=first, after=after)
        return Connection.of(page, lambda m: Message(record=m, thread=self.view, owner=self.owner))
