"""Person: the subject whose health data the portal shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from gateway.engine import selected
from gateway.policy.catalog import CONTACT_LIST_SERVICE
from gateway.policy.vocabulary import Service
from gateway.request.context import Info
from gateway.request.decisions import Subject
from gateway.resolvers import access_log, appointments, contacts, threads
from gateway.schema.access_log import AccessLogConnection, AccessLogEntry
from gateway.schema.appointment import Appointment
from gateway.schema.common import Address, Connection
from gateway.schema.contact import HealthContact
from gateway.schema.directives import confidential_address_field, self_only_field, service_field
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


@strawberry.federation.type(
    keys=["id"], description="A person the viewer may act for (self included). Federation entity with key `id`."
)
class Person:
    owner: strawberry.Private[Subject]

    @classmethod
    def of(cls, subject: Subject | None) -> Person | None:
        return cls(owner=subject) if subject is not None else None

    @strawberry.field(description="Fødselsnummer or D-number (11 digits).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.owner.person.id)

    @strawberry.field(description="Name from the population registry.")
    def name(self) -> PersonName:
        person = self.owner.person
        return PersonName(given=person.given_name, family=person.family_name)

    @strawberry.field(description="Date of birth.")
    def birth_date(self) -> dt.date:
        return self.owner.person.birth_date

    @strawberry.field(description="Age in whole years today (Europe/Oslo).")
    def age(self) -> int:
        return self.owner.access.subject_age

    @confidential_address_field(description="Registered home address (bostedsadresse).")
    def address(self) -> Address | None:
        return Address.from_record(self.owner.person.address)

    @strawberry.field(description="The person's consent level for the health services.")
    def consent_level(self) -> ConsentLevel:
        return self.owner.access.subject_consent

    @service_field(Service.INNBOKS, description="Innboks threads, latest activity first.")
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
            self.owner,
            first=first,
            after=after,
            category=category,
            archived=archived,
        )
        items = await threads.prepared(info.context, self.owner, page.items, selected(info).nodes())
        return Connection.of(page.with_items(items), lambda view: Thread(view=view, owner=self.owner))

    @service_field(Service.INNBOKS, description="One Innboks thread by id; null when it is not one the viewer may see.")
    async def thread(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The thread's id.")]
    ) -> Thread | None:
        view = await threads.thread_by_id(info.context, self.owner, str(id))
        if view is None:
            return None
        (view,) = await threads.prepared(info.context, self.owner, [view], selected(info))
        return Thread(view=view, owner=self.owner)

    @service_field(Service.TIMEAVTALER, description="Appointments (timeavtaler), earliest first.")
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
            info.context, self.owner, first=first, after=after, start=from_, end=to
        )
        places, practitioners = await appointments.parts_of(
            info.context, self.owner, page.items, selected(info).nodes()
        )
        return Connection.of(
            page,
            lambda a: Appointment(
                record=a, owner=self.owner, place=places.get(a.id), practitioner_contact=practitioners.get(a.id)
            ),
        )

    @service_field(
        CONTACT_LIST_SERVICE,
        description="Health contacts: the GP (fastlege) first, then others (helsekontakter), each shown only where "
        "its own service is available.",
    )
    async def health_contacts(
        self,
        info: Info,
        include_former: Annotated[
            bool | None, strawberry.argument(description="Also former contacts (a former GP).")
        ] = False,
    ) -> list[HealthContact] | None:
        found = await contacts.contacts_of(info.context, self.owner, include_former=bool(include_former))
        details = await contacts.details_of(info.context, found)
        return [HealthContact(record=c, owner=self.owner, details=d) for c, d in zip(found, details, strict=True)]

    @self_only_field(
        description="Logg over bruk: who accessed this person's data. Only the person themselves may read it."
    )
    async def access_log(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> AccessLogConnection | None:
        page = await access_log.access_log_page(info.context, self.owner, first=first, after=after)
        return AccessLogConnection.of(page, lambda entry: AccessLogEntry(entry=entry))
