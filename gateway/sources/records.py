"""What the upstream sources say, as immutable records, typed at the boundary.

Upstream strings become enums once, where the records are built (sources/parsing.py `enum_of`): an
unknown value becomes the conservative member with a warning, never an error three layers up. The
access rules' words come from `policy.vocabulary`; the rest of the vocabulary is here. Loaders hand
records to resolvers; the schema maps them to GraphQL types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from gateway.policy.vocabulary import (
    AddressProtection,
    ConsentLevel,
    MessageCategory,
    ProxyKind,
    ServiceArea,
    ServiceKind,
)


class Direction(Enum):
    IN = "IN"
    OUT = "OUT"


class ContactRole(Enum):
    GP = "GP"
    CARE_COORDINATOR = "CARE_COORDINATOR"
    SPECIALIST = "SPECIALIST"
    NURSE = "NURSE"
    OTHER = "OTHER"


class AppointmentStatus(Enum):
    """FHIR R4 Appointment.status."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


@dataclass(frozen=True, slots=True)
class AddressRecord:
    street: str
    postal_code: str
    city: str
    municipality: str | None = None
    municipality_number: str | None = None
    country: str = "NO"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str
    given_name: str
    family_name: str
    birth_date: dt.date
    address: AddressRecord | None
    address_protection: AddressProtection
    parental_responsibility_for: tuple[str, ...]
    responsible_parents: tuple[str, ...]
    deceased: bool
    # Registered as resident in Norway (Folkeregisteret's status "bosatt").
    resident: bool = True


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    person_id: str
    level: ConsentLevel
    youth_access: bool


@dataclass(frozen=True, slots=True)
class ProxyRecord:
    id: str
    grantor: str
    grantee: str
    service_areas: frozenset[ServiceArea]
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    kind: ProxyKind


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    id: str
    owner: str
    subject: str
    category: MessageCategory | None  # None: a category the catalog does not know (no service: denied)
    counterpart_contact_id: str | None
    last_message_at: dt.datetime
    unread_count: int
    archived: bool


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    id: str
    name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str
    thread_id: str
    direction: Direction
    sender_contact_id: str | None
    sent_at: dt.datetime
    read_at: dt.datetime | None
    body: str
    attachments: tuple[AttachmentRecord, ...]
    hidden_from_guardian: bool
    sent_on_behalf_of: str | None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """One health contact of one patient: a FHIR CareTeam with one professional participant."""

    id: str
    subject_id: str
    active: bool
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    role: ContactRole
    name: str | None
    practitioner_id: str | None
    organization_id: str | None
    phone: str | None
    offers_digital_dialogue: bool
    hidden_from_guardian: bool


@dataclass(frozen=True, slots=True)
class PractitionerRecord:
    id: str
    name: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    id: str
    name: str
    service_kind: ServiceKind | None  # None: no coding says (the rules treat it as a hospital)
    address: AddressRecord | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: str
    patient_id: str
    status: AppointmentStatus
    start: dt.datetime
    end: dt.datetime | None
    title: str
    service_kind: ServiceKind | None  # None: no coding says (the rules treat it as a hospital)
    practitioner_id: str | None
    location_id: str | None
    hidden_from_guardian: bool


@dataclass(frozen=True, slots=True)
class LocationRecord:
    id: str
    name: str
    address: AddressRecord | None
    at_home: bool
    service_kind: ServiceKind | None  # None: no coding says (the rules treat it as a hospital)
    organization_name: str | None
