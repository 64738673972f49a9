"""What the upstream sources say, as immutable records.

Loaders hand these to resolvers; the schema maps them to GraphQL types. Values keep the
upstreams' vocabulary (strings such as "FULL" or "HOSPITAL"), so sources need no GraphQL types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
    address_protection: str
    parental_responsibility_for: tuple[str, ...]
    responsible_parents: tuple[str, ...]
    deceased: bool


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    person_id: str
    level: str
    youth_access: bool


@dataclass(frozen=True, slots=True)
class ProxyRecord:
    id: str
    grantor: str
    grantee: str
    service_areas: tuple[int, ...]
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    kind: str


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    id: str
    owner: str
    subject: str
    category: str
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
    direction: str
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
    role: str
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
    service_kind: str | None
    address: AddressRecord | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: str
    patient_id: str
    status: str
    start: dt.datetime
    end: dt.datetime | None
    title: str
    service_kind: str | None
    practitioner_id: str | None
    location_id: str | None
    hidden_from_guardian: bool


@dataclass(frozen=True, slots=True)
class LocationRecord:
    id: str
    name: str
    address: AddressRecord | None
    at_home: bool
    service_kind: str | None
    organization_name: str | None
