"""HealthContact: a GP, care coordinator, department or service the person has a relationship with."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from gateway.policy.access import kind_or_conservative
from gateway.request.context import Info
from gateway.request.decisions import Subject
from gateway.resolvers.contacts import ContactDetails, is_current
from gateway.schema.common import Address, Period
from gateway.schema.enums import ContactRole, ServiceKind
from gateway.sources.errors import SourceError
from gateway.sources.records import ContactRecord

T = TypeVar("T")


@strawberry.federation.type(
    keys=["id"],
    description="A health contact (helsekontakt): fastlege, care coordinator (forløpskoordinator), "
    "hospital department or municipal service. Federation entity with key `id`.",
)
class HealthContact:
    record: strawberry.Private[ContactRecord]
    owner: strawberry.Private[Subject]
    # Loaded with the contact, or the upstream error that loading them met (the fields reading them fail with it).
    details: strawberry.Private[ContactDetails | SourceError]

    @strawberry.field(description="Stable id of this contact relationship (a FHIR CareTeam id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The contact's role for the person.")
    def role(self) -> ContactRole:
        return self.record.role

    @strawberry.field(description="Whether the person can write to this contact (digital dialogue).")
    def offers_digital_dialogue(self) -> bool:
        return self.record.offers_digital_dialogue

    @strawberry.field(description="Whether the relationship lasts today (false for a former GP).")
    def current(self, info: Info) -> bool:
        return is_current(self.record, info.context.now)

    @strawberry.field(description="When the relationship began and, for a former contact, ended.")
    def period(self) -> Period | None:
        if self.record.period_start is None and self.record.period_end is None:
            return None
        return Period(start=self.record.period_start, end=self.record.period_end)

    def _detail(self, read: Callable[[HealthContact, ContactDetails], T]) -> T:
        details = self.details
        if isinstance(details, SourceError):
            raise details
        return read(self, details)

    @strawberry.field(description="The practitioner's name, or the department's or service's name.")
    def name(self) -> str:
        return self._detail(_name)

    @strawberry.field(
        description="The practitioner's HPR number (helsepersonellnummer in Helsepersonellregisteret; digits only), "
        "when the contact is a practitioner and the source gives it."
    )
    def hpr_number(self) -> str | None:
        return self._detail(_hpr_number)

    @strawberry.field(description="Hospital, GP or municipal service (from the organisation's type).")
    def service_kind(self) -> ServiceKind:
        return self._detail(_service_kind)

    @strawberry.field(description="The organisation (legekontor, hospital, municipality).")
    def organization(self) -> str | None:
        return self._detail(_organization)

    @strawberry.field(
        description="The organisation's organisation number (organisasjonsnummer in Enhetsregisteret; 9 digits, "
        "the last a mod-11 check digit), when the source gives it."
    )
    def organization_number(self) -> str | None:
        return self._detail(_organization_number)

    @strawberry.field(description="The organisation's visiting address.")
    def address(self) -> Address | None:
        return self._detail(_address)

    @strawberry.field(description="Phone number of the contact, else of the organisation.")
    def phone(self) -> str | None:
        return self._detail(_phone)


def _name(contact: HealthContact, details: ContactDetails) -> str:
    organization = details.organization
    return (
        (details.practitioner.name if details.practitioner else None)
        or contact.record.name
        or (organization.name if organization else None)
        or "Ukjent helsekontakt"
    )


def _hpr_number(contact: HealthContact, details: ContactDetails) -> str | None:
    return details.practitioner.hpr_number if details.practitioner else None


def _service_kind(contact: HealthContact, details: ContactDetails) -> ServiceKind:
    return kind_or_conservative(details.organization.service_kind if details.organization else None)


def _organization(contact: HealthContact, details: ContactDetails) -> str | None:
    return details.organization.name if details.organization else None


def _organization_number(contact: HealthContact, details: ContactDetails) -> str | None:
    return details.organization.organization_number if details.organization else None


def _address(contact: HealthContact, details: ContactDetails) -> Address | None:
    return Address.from_record(details.organization.address if details.organization else None)


def _phone(contact: HealthContact, details: ContactDetails) -> str | None:
    return (
        contact.record.phone
        or (details.practitioner.phone if details.practitioner else None)
        or (details.organization.phone if details.organization else None)
    )
