"""Person: the subject whose health data the portal shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from gateway.context import Info
from gateway.resolvers import appointments, contacts, threads
from gateway.resolvers.subjects import Subject
from gateway.schema.appointment import Appointment
from gateway.schema.common import Address, Connection
from gateway.schema.contact import HealthContact
from gateway.schema.enums import ConsentLevel, MessageCategory
from gateway.schema.thread import Thread

PAGE_SIZE = "Page size, 1 to 100 (default 20)."
AFTER = "Cursor of the last item seen (`pageInfo.endCursor`)."


@strawberry.type(description="A person's name as in the population registry (Folkeregisteret).")
class PersonName:
    given: str = strawberry.field(description="Given name(s) (fornavn and mellomnavn).")
    family: str = strawberry.field(description="Family name (etternavn).")

    @strawberry.field(description="Given and family name.")
    def full(self) -> str:
        return f"{self.given} {self.family}"


@strawberry.type(description="A person the viewer may act for (self included). Federation entity with key `id`.")
class Person:
    subject: strawberry.Private[Subject]

    @classmethod
    def of(cls, subject: Subject) -> Person:
        return cls(subject=subject)

    @strawberry.field(description="Fødselsnummer or D-number (11 digits).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.subject.person.id)

    @strawberry.field(description="Name from the population registry.")
    def name(self) -> PersonName:
        person = self.subject.person
        return PersonName(given=person.given_name, family=person.family_name)

    @strawberry.field(description="Date of birth.")
    def birth_date(self) -> dt.date:
        return self.subject.person.birth_date

    @strawberry.field(description="Age in whole years today (Europe/Oslo).")
    def age(self) -> int:
        return self.subject.access.subject_age

    @strawberry.field(description="Registered home address (bostedsadresse).")
    def address(self) -> Address | None:
        return Address.from_record(self.subject.person.address)

    @strawberry.field(description="The person's consent level for the health services.")
    def consent_level(self) -> ConsentLevel:
        return self.subject.access.subject_consent  # type: ignore[return-value]

    @strawberry.field(description="Innboks threads, latest activity first.")
    async def threads(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        category: Annotated[MessageCategory | None, strawberry.argument(description="Only this category.")] = None,
        archived: Annotated[
            bool | None,
            strawberry.argument(description="Only archived (true) or only active (false) threads; both when null."),
        ] = None,
    ) -> Connection[Thread] | None:
        page = await threads.thread_page(
            info.context,
            self.subject,
            first=first,
            after=after,
            category=category.value if category else None,
            archived=archived,
        )
        return Connection.of(page, lambda t: Thread(record=t, owner=self.subject))

    @strawberry.field(description="One Innboks thread by id.")
    async def thread(self, info: Info, id: strawberry.ID) -> Thread | None:
        record = await threads.thread_by_id(info.context, self.subject, str(id))
        return Thread(record=record, owner=self.subject) if record else None

    @strawberry.field(description="Appointments (timeavtaler), earliest first.")
    async def appointments(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        from_: Annotated[
            dt.datetime | None,
            strawberry.argument(name="from", description="Only appointments starting at or after this time."),
        ] = None,
        to: Annotated[
            dt.datetime | None,
            strawberry.argument(description="Only appointments starting at or before this time."),
        ] = None,
    ) -> Connection[Appointment] | None:
        page = await appointments.appointment_page(
            info.context, self.subject, first=first, after=after, start=from_, end=to
        )
        return Connection.of(page, lambda a: Appointment(record=a, owner=self.subject))

    @strawberry.field(description="Health contacts (helsekontakter): the GP first, then others.")
    async def health_contacts(
        self,
        info: Info,
        include_former: Annotated[bool, strawberry.argument(description="Also former contacts (a former GP).")] = False,
    ) -> list[HealthContact] | None:
        found = await contacts.contacts_of(info.context, self.subject, include_former=include_former)
        return [HealthContact(record=c, owner=self.subject) for c in found]
