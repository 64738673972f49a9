"""Appointment (timeavtale) and its Location."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway.policy.access import kind_or_conservative
from gateway.request.decisions import Subject
from gateway.resolvers.appointments import Place, Practitioner
from gateway.resolvers.items import appointment_kind
from gateway.schema.common import Address
from gateway.schema.contact import HealthContact
from gateway.schema.directives import confidential_address_field
from gateway.schema.enums import AppointmentStatus, ServiceKind
from gateway.sources.errors import SourceError
from gateway.sources.records import AppointmentRecord, LocationRecord


@strawberry.type(description="Where an appointment takes place.")
class Location:
    record: strawberry.Private[LocationRecord]
    owner: strawberry.Private[Subject]

    @strawberry.field(description="Name of the place (hospital, GP office, or the person's home).")
    def name(self) -> str:
        return self.record.name

    # A home visit's location is the patient's address, masked like it
    # (docs/access-rules.md#confidential-address-masking).
    @confidential_address_field(
        description="Address of the place; for a home visit, the person's home address.",
        reveals_home=lambda location: location.record.at_home,
    )
    def address(self) -> Address | None:
        return Address.from_record(self.record.address)

    @strawberry.field(description="Whether the appointment is at the person's home (a home visit).")
    def at_home(self) -> bool:
        return self.record.at_home


@strawberry.federation.type(
    keys=["id"],
    description="An appointment (timeavtale) at a hospital, GP office or municipal service. "
    "Federation entity with key `id`.",
)
class Appointment:
    record: strawberry.Private[AppointmentRecord]
    owner: strawberry.Private[Subject]
    # Loaded with the appointment where the query reads them (resolvers/appointments.py `parts_of`).
    place: strawberry.Private[Place] = None
    practitioner_contact: strawberry.Private[Practitioner] = None

    @strawberry.field(description="Stable id (the FHIR Appointment id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="When it starts.")
    def start(self) -> dt.datetime:
        return self.record.start

    @strawberry.field(description="When it ends, if known.")
    def end(self) -> dt.datetime | None:
        return self.record.end

    @strawberry.field(description="Booked, cancelled, fulfilled, ...")
    def status(self) -> AppointmentStatus:
        return self.record.status

    @strawberry.field(description="What the appointment is for.")
    def title(self) -> str:
        return self.record.title

    def _place(self) -> LocationRecord | None:
        place = self.place
        if isinstance(place, SourceError):
            raise place
        return place

    @strawberry.field(description="Hospital, GP or municipal service.")
    def service_kind(self) -> ServiceKind:
        return kind_or_conservative(appointment_kind(self.record, self.place))

    @strawberry.field(description="Where it takes place.")
    def location(self) -> Location | None:
        record = self._place()
        return Location(record=record, owner=self.owner) if record else None

    @strawberry.field(description="The organisation that runs the place.")
    def organization(self) -> str | None:
        record = self._place()
        return record.organization_name if record else None

    @strawberry.field(
        description="The organisation number (organisasjonsnummer in Enhetsregisteret; 9 digits, the last a mod-11 "
        "check digit) of the organisation that runs the place, when the source gives it."
    )
    def organization_number(self) -> str | None:
        record = self._place()
        return record.organization_number if record else None

    @strawberry.field(description="The practitioner, when the person has them as a health contact.")
    def practitioner(self) -> HealthContact | None:
        found = self.practitioner_contact
        if isinstance(found, SourceError):
            raise found
        if found is None:
            return None
        contact, details = found
        return HealthContact(record=contact, owner=self.owner, details=details)
