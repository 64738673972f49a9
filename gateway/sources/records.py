"""What the upstream sources say, as immutable records, typed at the boundary.

Records are frozen msgspec Structs: hashable, compared by value, and, where the wire has their shape,
decoded straight from an upstream body (`msgspec.json.decode(body, type=...)`: the message store's
threads and messages, sources/inbox.py). Change one with `msgspec.structs.replace`, not
`dataclasses.replace`. None holds anything that could refer back to it, so they stay out of the
garbage collector's tracking (`gc=False`).

Upstream strings become enums once, where the records are built (core/enums.py `enum_of`): an
unknown value becomes the conservative member with a warning, never an error three layers up. A body
that a record's types refuse (an unknown category among them) is read again by the source's lenient
parser, which does that. The access rules' words come from `policy.vocabulary`; the rest of the
vocabulary is here. Loaders hand records to resolvers; the schema maps them to GraphQL types.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from msgspec import Meta, Struct

from gateway.policy.vocabulary import (
    AddressProtection,
    ConsentLevel,
    MessageCategory,
    ProxyKind,
    ServiceArea,
    ServiceKind,
)

# A timestamp decoded from the wire must carry its offset; one without is left to the lenient parser,
# which reads it as UTC (parsing.datetime_of). Built by hand, a record takes any datetime, as before.
Timestamp = Annotated[dt.datetime, Meta(tz=True)]


class Record(Struct, frozen=True, gc=False):
    """The base of every record: frozen (so hashable) and compared by value, field by field."""


class WireRecord(Record, frozen=True, rename="camel"):
    """A record the wire sends in its own shape: its fields are the upstream's keys in camelCase."""


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


class AddressRecord(Record, frozen=True):
    street: str
    postal_code: str
    city: str
    municipality: str | None = None
    municipality_number: str | None = None
    country: str = "NO"


class PersonRecord(Record, frozen=True):
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


class ConsentRecord(Record, frozen=True):
    person_id: str
    level: ConsentLevel
    youth_access: bool


class ProxyRecord(Record, frozen=True):
    id: str
    grantor: str
    grantee: str
    service_areas: frozenset[ServiceArea]
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    kind: ProxyKind


class ThreadRecord(WireRecord, frozen=True):
    id: str
    owner: str
    subject: str
    category: MessageCategory | None  # None: a category the catalog does not know (no service: denied)
    counterpart_contact_id: str | None
    last_message_at: Timestamp
    unread_count: int
    archived: bool


class AttachmentRecord(WireRecord, frozen=True):
    id: str
    name: str
    content_type: str
    size: int


class MessageRecord(WireRecord, frozen=True):
    id: str
    thread_id: str
    direction: Direction
    sender_contact_id: str | None
    sent_at: Timestamp
    read_at: Timestamp | None
    body: str
    attachments: tuple[AttachmentRecord, ...]
    hidden_from_guardian: bool
    sent_on_behalf_of: str | None


class ContactRecord(Record, frozen=True):
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


class PractitionerRecord(Record, frozen=True):
    id: str
    name: str
    phone: str | None
    hpr_number: str | None  # None: the server gives none (in its form: sources/identifiers.py)


class OrganizationRecord(Record, frozen=True):
    id: str
    name: str
    service_kind: ServiceKind | None  # None: no coding says (the rules treat it as a hospital)
    address: AddressRecord | None
    phone: str | None
    organization_number: str | None  # None: the server gives none (in its form: sources/identifiers.py)


class AppointmentRecord(Record, frozen=True):
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


class LocationRecord(Record, frozen=True):
    id: str
    name: str
    address: AddressRecord | None
    at_home: bool
    service_kind: ServiceKind | None  # None: no coding says (the rules treat it as a hospital)
    # The managing organisation, as the Location's reference to it names it (its display and identifier).
    organization_name: str | None
    organization_number: str | None
