"""Upstream JSON into records, body by body: the gateway before issue 19, beside the gateway now.

The bodies are the real answers of the sandbox to the upstream requests of Kari's inbox page with 60
threads (`_stack.INBOX_PAGE`), run once in this process through the gateway's own clients, and then
fetched again as raw bytes over HTTP. Practitioners and organisations come included with the
CareTeam search on that page; their searches by id (what a server that ignores `_include` gets) are
fetched too. Then, in this process and with no HTTP while measured, each body is decoded into the
records the clients hand to the loaders, three ways:

- old, the gateway before issue 19, kept here as the baseline: `orjson.loads`, then the clients'
  parsers of dicts (the row parsers of sources/inbox.py and consent.py; for FHIR,
  `FhirSearch._collect` and the contacts and appointments clients' mapping) building the records as
  they were then, frozen dataclasses (`OLD_RECORDS`: the same fields, made from today's records, put
  in the parsers' place while the old side runs). The inbox's row parsers are unchanged: the gateway
  now keeps them for bodies of another shape and for the answers to writes.
- wire: the first try of issue 19, `msgspec.json.decode(body, type=...)` into wire-shaped Structs
  (timestamps decoded as datetimes where the upstream's contract is RFC 3339; FHIR dateTimes, which
  may be partial dates, stay strings), then the records by the same rules. A FHIR Bundle is decoded in
  one pass, every entry into one Struct holding the elements the gateway reads of any type it
  searches: the fastest of the shapes tried (a `msgspec.Raw` per entry, decoded again by its type, was
  slower).
- now, the gateway's way: the records are frozen msgspec Structs; the message store's threads and
  messages are decoded straight into them (`inbox.decode_threads`, `decode_messages`), and the other
  bodies go through orjson and the same parsers as "old", into the Structs.

The three must give the same records (compared field by field and by repr, UTC offsets included).
They run in alternating blocks; CPU time (time.process_time) is divided by the bodies and by the
records they hold. "JSON only" is the first step alone: orjson's dicts beside msgspec's wire Structs.
Figures print; nothing is asserted about them. (The registry's persons were a row here until the
registry spoke Folkeregisteret's bulk lookup, issue 21: its old parser is gone.)

    python bench/records.py [--runs 200] [--blocks 15]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import msgspec
import orjson
from _stack import INBOX_PAGE, KARI, sandbox_settings
from msgspec import Struct

from gateway.core.audit import MemoryAuditLog
from gateway.core.auth import Principal, PrincipalKind
from gateway.core.config import Settings
from gateway.core.enums import enum_of
from gateway.core.events import MemoryEventBus
from gateway.policy.clock import system_clock
from gateway.policy.vocabulary import Assurance, ConsentLevel
from gateway.request.context import GatewayContext
from gateway.schema import build_schema
from gateway.sources import Sources, appointments, consent, contacts, fhir, inbox, parsing, records, registry
from gateway.sources.appointments import AppointmentsClient
from gateway.sources.consent import _consent
from gateway.sources.contacts import ContactsClient, _parsed
from gateway.sources.fhir import FhirSearch, Searchset
from gateway.sources.fhir_codings import FhirCodings
from gateway.sources.inbox import Messages, Threads, _category, _message, _thread, decode_messages, decode_threads
from gateway.sources.parsing import optional_datetime
from gateway.sources.records import (
    AddressRecord,
    AppointmentRecord,
    AppointmentStatus,
    AttachmentRecord,
    ConsentRecord,
    ContactRecord,
    Direction,
    LocationRecord,
    MessageRecord,
    OrganizationRecord,
    PractitionerRecord,
    Record,
    ThreadRecord,
)
from sandbox import start_sandbox

FIRST = 60
CODINGS = FhirCodings()

Decode = Callable[[bytes], list[Any]]


# --- old: the records as frozen dataclasses, as they were before issue 19 ----------------------------------


def _old_record(struct: type[Record]) -> type:
    """`struct`'s twin as a frozen dataclass with slots: the same name, fields, order and defaults."""
    fields = [
        (f.name, f.type) if f.default is msgspec.NODEFAULT else (f.name, f.type, dataclasses.field(default=f.default))
        for f in msgspec.structs.fields(struct)
    ]
    return dataclasses.make_dataclass(struct.__name__, fields, frozen=True, slots=True)


OLD_RECORDS = {
    name: _old_record(value)
    for name, value in vars(records).items()
    if isinstance(value, type) and issubclass(value, Record) and value.__struct_fields__  # not the bases
}
PARSERS = (parsing, registry, consent, inbox, fhir, contacts, appointments)


@contextmanager
def old_records() -> Iterator[None]:
    """While inside, the sources' parsers build the old records: each parser module's name for a record
    class names its dataclass twin."""
    swapped = [
        (module, name, getattr(module, name))
        for module in PARSERS
        for name in OLD_RECORDS
        if getattr(module, name, None) is getattr(records, name)
    ]
    for module, name, _ in swapped:
        setattr(module, name, OLD_RECORDS[name])
    try:
        yield
    finally:
        for module, name, record in swapped:
            setattr(module, name, record)


# --- old (under old_records()), and now for all but the inbox: orjson, then the clients' parsers ------------


def _json_object(raw: bytes) -> dict[str, Any]:
    body = orjson.loads(raw)  # as JsonHttp.exchange does
    if not isinstance(body, dict):
        raise ValueError("response is not a JSON object")
    return body


def _rows(parse: Callable[[dict[str, Any]], Any], key: str) -> Decode:
    def decode(raw: bytes) -> list[Any]:
        rows = _json_object(raw).get(key)
        if not isinstance(rows, list):
            raise TypeError("expected a list")
        return [parse(row) for row in rows]

    return decode


def _searchset(raw: bytes, resource_type: str) -> Searchset:
    bundle = _json_object(raw)
    if bundle.get("resourceType") != "Bundle":
        raise ValueError("search did not return a Bundle")
    found = Searchset()
    FhirSearch._collect(bundle, resource_type, found)
    return found


_CONTACTS = ContactsClient(None, CODINGS)  # type: ignore[arg-type]  # only its parsers are used
_APPOINTMENTS = AppointmentsClient(None, CODINGS)  # type: ignore[arg-type]


def parsed_care_teams(raw: bytes) -> list[Any]:
    found = _searchset(raw, "CareTeam")
    contacts = [c for c in map(_CONTACTS._contact, found.matches) if c is not None]
    practitioners = _parsed(found.included_of("Practitioner"), _CONTACTS._practitioner)
    organizations = _parsed(found.included_of("Organization"), _CONTACTS._organization)
    return [*contacts, *practitioners.values(), *organizations.values()]


def parsed_practitioners(raw: bytes) -> list[Any]:
    return [_CONTACTS._practitioner(r) for r in _searchset(raw, "Practitioner").matches]


def parsed_organizations(raw: bytes) -> list[Any]:
    return [_CONTACTS._organization(r) for r in _searchset(raw, "Organization").matches]


def parsed_appointments(raw: bytes) -> list[Any]:
    return [a for r in _searchset(raw, "Appointment").matches for a in _APPOINTMENTS._appointments(r, {KARI})]


class _Given:
    """Stands in for FhirSearch.reference (no cache): the resources of one search by id, as it gives them."""

    def __init__(self, resources: dict[str, dict[str, Any]]) -> None:
        self.source = "appointments"
        self._resources = resources

    async def reference(self, resource_type: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        return self._resources


def parsed_locations(raw: bytes) -> list[Any]:
    # The mapping lives inside the client's coroutine, which awaits nothing here: run it to its end.
    resources = {r["id"]: r for r in _searchset(raw, "Location").matches if isinstance(r.get("id"), str)}
    client = AppointmentsClient(_Given(resources), CODINGS)  # type: ignore[arg-type]
    coroutine = client.locations_by_ids(list(resources))
    try:
        coroutine.send(None)
    except StopIteration as done:
        return list(done.value.values())
    raise RuntimeError("locations_by_ids awaited something")


# --- now, the inbox: straight into the records ------------------------------------------------------------


def straight_threads(raw: bytes) -> list[Any]:
    body = decode_threads(raw)
    if not isinstance(body, Threads):
        raise ValueError("the threads came in another shape than the records' (read by the lenient parser)")
    return body.threads


def straight_messages(raw: bytes) -> list[Any]:
    body = decode_messages(raw)
    if not isinstance(body, Messages):
        raise ValueError("the messages came in another shape than the records' (read by the lenient parser)")
    return body.messages


# --- wire: msgspec into wire-shaped Structs, then the records --------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    # As parsing.datetime_of: a timestamp without an offset means UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class WireConsent(Struct, rename="camel", gc=False):
    person_id: str
    level: str
    youth_access: bool


class WireConsents(Struct, gc=False):
    consents: list[WireConsent]


def msgspec_consents(raw: bytes) -> list[Any]:
    return [
        ConsentRecord(
            person_id=c.person_id,
            level=enum_of("consent", ConsentLevel, c.level, ConsentLevel.NONE, by_name=True),
            youth_access=c.youth_access,
        )
        for c in _CONSENTS.decode(raw).consents
    ]


class WireThread(Struct, rename="camel", gc=False):
    id: str
    owner: str
    subject: str
    category: str
    last_message_at: dt.datetime
    counterpart_contact_id: str | None = None
    unread_count: int | None = None
    archived: bool | None = None


class WireThreads(Struct, gc=False):
    threads: list[WireThread]


def msgspec_threads(raw: bytes) -> list[Any]:
    return [
        ThreadRecord(
            id=t.id,
            owner=t.owner,
            subject=t.subject,
            category=_category(t.category),
            counterpart_contact_id=t.counterpart_contact_id,
            last_message_at=_utc(t.last_message_at),
            unread_count=t.unread_count or 0,
            archived=bool(t.archived),
        )
        for t in _THREADS.decode(raw).threads
    ]


class WireAttachment(Struct, rename="camel", gc=False):
    id: str
    name: str
    content_type: str | None = None
    size: int | None = None


class WireMessage(Struct, rename="camel", gc=False):
    id: str
    thread_id: str
    direction: Direction
    sent_at: dt.datetime
    body: str
    sender_contact_id: str | None = None
    read_at: dt.datetime | None = None
    attachments: list[WireAttachment] | None = None
    hidden_from_guardian: bool | None = None
    sent_on_behalf_of: str | None = None


class WireMessages(Struct, gc=False):
    messages: list[WireMessage]


def _attachment(a: WireAttachment) -> AttachmentRecord:
    return AttachmentRecord(
        id=a.id, name=a.name, content_type=a.content_type or "application/octet-stream", size=a.size or 0
    )


def msgspec_messages(raw: bytes) -> list[Any]:
    return [
        MessageRecord(
            id=m.id,
            thread_id=m.thread_id,
            direction=m.direction,
            sender_contact_id=m.sender_contact_id,
            sent_at=_utc(m.sent_at),
            read_at=None if m.read_at is None else _utc(m.read_at),
            body=m.body,
            attachments=tuple(map(_attachment, m.attachments)) if m.attachments else (),
            hidden_from_guardian=bool(m.hidden_from_guardian),
            sent_on_behalf_of=m.sent_on_behalf_of,
        )
        for m in _MESSAGES.decode(raw).messages
    ]


# FHIR: one Struct with every element the gateway reads of the types it searches (unknown elements are
# skipped while decoding); codings and identifiers stay mappings, as FhirCodings reads them.


class Reference(Struct, gc=False):
    reference: str | None = None
    display: str | None = None
    identifier: dict[str, Any] | None = None


class Concept(Struct, gc=False):
    coding: list[dict[str, Any]] | None = None
    text: str | None = None


class ContactPoint(Struct, gc=False):
    system: str | None = None
    value: str | None = None


class HumanName(Struct, gc=False):
    use: str | None = None
    text: str | None = None
    family: str | None = None
    given: list[str] | None = None
    prefix: list[str] | None = None


class FhirAddress(Struct, rename="camel", gc=False):
    line: list[str] | None = None
    city: str | None = None
    postal_code: str | None = None
    district: str | None = None
    country: str | None = None


class Period(Struct, gc=False):
    start: str | None = None
    end: str | None = None


class Participant(Struct, rename="camel", gc=False):
    role: list[Concept] | None = None
    member: Reference | None = None
    on_behalf_of: Reference | None = None
    actor: Reference | None = None


class Resource(Struct, rename="camel", gc=False):
    resource_type: Any = None
    id: Any = None
    meta: dict[str, Any] | None = None
    identifier: list[dict[str, Any]] | None = None
    status: str | None = None
    name: str | list[HumanName] | None = None
    subject: Reference | None = None
    period: Period | None = None
    participant: list[Participant] | None = None
    managing_organization: list[Reference] | Reference | None = None
    telecom: list[ContactPoint] | None = None
    type: list[Concept] | None = None
    address: list[FhirAddress] | FhirAddress | None = None
    service_category: list[Concept] | None = None
    service_type: list[Concept] | None = None
    description: str | None = None
    start: str | None = None
    end: str | None = None


class EntrySearch(Struct, gc=False):
    mode: str | None = None


class Entry(Struct, gc=False):
    resource: Resource | None = None
    search: EntrySearch | None = None


class Link(Struct, gc=False):
    relation: str | None = None
    url: str | None = None


class Bundle(Struct, rename="camel", gc=False):
    resource_type: str | None = None
    total: Any = None
    link: list[Link] | None = None
    entry: list[Entry] | None = None


@dataclass
class TypedSearchset:
    matches: list[Resource]
    included: dict[str, dict[str, Resource]]


def _typed_searchset(raw: bytes, resource_type: str) -> TypedSearchset:
    bundle = _BUNDLE.decode(raw)
    if bundle.resource_type != "Bundle":
        raise ValueError("search did not return a Bundle")
    found = TypedSearchset([], {})
    for entry in bundle.entry or ():
        resource = entry.resource
        if resource is None or not isinstance(resource.resource_type, str):
            continue
        kind = resource.resource_type
        mode = (entry.search.mode if entry.search else None) or ("match" if kind == resource_type else "include")
        if mode == "match" and kind == resource_type:
            found.matches.append(resource)
        elif mode == "include" and isinstance(resource.id, str):
            found.included.setdefault(kind, {}).setdefault(resource.id, resource)
    return found


def _reference_id(reference: Reference | None, resource_type: str) -> str | None:
    ref = (reference.reference if reference is not None else None) or ""
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None


def _first_phone(telecom: list[ContactPoint] | None) -> str | None:
    for point in telecom or ():
        if point.system == "phone" and point.value:
            return point.value
    return None


def _codings(concepts: list[Concept] | None) -> list[dict[str, Any]]:
    return [coding for concept in concepts or () for coding in concept.coding or ()]


def _human_name(names: str | list[HumanName] | None) -> str | None:
    if not names or isinstance(names, str):
        return None
    name = next((n for n in names if n.use == "official"), names[0])
    if name.text:
        return name.text
    parts = [*(name.prefix or ()), *(name.given or ()), name.family or ""]
    return " ".join(p for p in parts if p) or None


def _fhir_address(addresses: list[FhirAddress] | FhirAddress | None) -> AddressRecord | None:
    for address in addresses if isinstance(addresses, list) else [addresses] if addresses else ():
        if address.line or address.city:
            return AddressRecord(
                street=", ".join(address.line or ()),
                postal_code=address.postal_code or "",
                city=address.city or "",
                municipality=address.district,
                country=address.country or "NO",
            )
    return None


def _contact(team: Resource) -> ContactRecord | None:
    subject_id = _reference_id(team.subject, "Patient")
    if subject_id is None:
        return None
    participants = team.participant or []
    participant = next(
        (p for p in participants if _reference_id(p.member, "Practitioner")),
        participants[0] if participants else Participant(),
    )
    member = participant.member
    organization_id = _reference_id(participant.on_behalf_of, "Organization") or _reference_id(member, "Organization")
    if organization_id is None:
        managing = team.managing_organization
        first = managing[0] if isinstance(managing, list) and managing else None
        organization_id = _reference_id(first, "Organization")
    period = team.period or Period()
    return ContactRecord(
        id=team.id,
        subject_id=subject_id,
        active=(team.status or "active") == "active",
        period_start=optional_datetime(period.start),
        period_end=optional_datetime(period.end),
        role=CODINGS.role_of(_codings(participant.role)),
        name=(member.display if member else None) or (team.name if isinstance(team.name, str) else None),
        practitioner_id=_reference_id(member, "Practitioner"),
        organization_id=organization_id,
        phone=_first_phone(team.telecom),
        offers_digital_dialogue=CODINGS.offers_digital_dialogue(team.meta),
        hidden_from_guardian=CODINGS.hidden_from_guardian(team.meta),
    )


def _practitioner(resource: Resource) -> PractitionerRecord:
    return PractitionerRecord(
        id=resource.id,
        name=_human_name(resource.name) or "Ukjent behandler",
        phone=_first_phone(resource.telecom),
        hpr_number=CODINGS.hpr_number_of(resource.identifier),
    )


def _organization(resource: Resource) -> OrganizationRecord:
    return OrganizationRecord(
        id=resource.id,
        name=resource.name if isinstance(resource.name, str) else "",
        service_kind=CODINGS.service_kind_of(_codings(resource.type)),
        address=_fhir_address(resource.address),
        phone=_first_phone(resource.telecom),
        organization_number=CODINGS.organization_number_of(resource.identifier),
    )


def _appointments(resource: Resource, wanted: set[str]) -> list[AppointmentRecord]:
    actors = [p.actor for p in resource.participant or ()]
    patients = [pid for a in actors if (pid := _reference_id(a, "Patient")) in wanted]
    if not resource.start:
        return []
    service_type = next(iter(resource.service_type or ()), Concept())
    return [
        AppointmentRecord(
            id=resource.id,
            patient_id=patient_id,
            status=enum_of("appointments", AppointmentStatus, resource.status or "booked", AppointmentStatus.BOOKED),
            start=_utc(dt.datetime.fromisoformat(resource.start)),
            end=optional_datetime(resource.end),
            title=resource.description or service_type.text or "Timeavtale",
            service_kind=CODINGS.service_kind_of(_codings(resource.service_category)),
            practitioner_id=next((i for a in actors if (i := _reference_id(a, "Practitioner"))), None),
            location_id=next((i for a in actors if (i := _reference_id(a, "Location"))), None),
            hidden_from_guardian=CODINGS.hidden_from_guardian(resource.meta),
        )
        for patient_id in patients
    ]


def msgspec_care_teams(raw: bytes) -> list[Any]:
    found = _typed_searchset(raw, "CareTeam")
    contacts = [c for c in map(_contact, found.matches) if c is not None]
    practitioners = [_practitioner(r) for r in found.included.get("Practitioner", {}).values()]
    organizations = [_organization(r) for r in found.included.get("Organization", {}).values()]
    return [*contacts, *practitioners, *organizations]


def msgspec_practitioners(raw: bytes) -> list[Any]:
    return [_practitioner(r) for r in _typed_searchset(raw, "Practitioner").matches]


def msgspec_organizations(raw: bytes) -> list[Any]:
    return [_organization(r) for r in _typed_searchset(raw, "Organization").matches]


def msgspec_appointments(raw: bytes) -> list[Any]:
    return [a for r in _typed_searchset(raw, "Appointment").matches for a in _appointments(r, {KARI})]


def msgspec_locations(raw: bytes) -> list[Any]:
    return [
        LocationRecord(
            id=r.id,
            name=r.name if isinstance(r.name, str) else "",
            address=_fhir_address(r.address),
            at_home=CODINGS.is_at_home(_codings(r.type)),
            service_kind=CODINGS.service_kind_of(_codings(r.type)),
            organization_name=r.managing_organization.display
            if isinstance(r.managing_organization, Reference)
            else None,
            organization_number=CODINGS.organization_number_of([r.managing_organization.identifier])
            if isinstance(r.managing_organization, Reference)
            else None,
        )
        for r in _typed_searchset(raw, "Location").matches
    ]


_CONSENTS = msgspec.json.Decoder(WireConsents)
_THREADS = msgspec.json.Decoder(WireThreads)
_MESSAGES = msgspec.json.Decoder(WireMessages)
_BUNDLE = msgspec.json.Decoder(Bundle)


INBOX, FHIR, OTHER, BY_ID = "inbox", "FHIR searches", "registry, consent", "FHIR by id, not on the page"


@dataclass(frozen=True)
class Kind:
    """One kind of upstream body: where the gateway asks for it, and the ways to decode it."""

    label: str
    path: str  # the end of the request's path
    group: str
    parsed: Decode  # orjson and the clients' parsers: "old" under old_records(), else "now" where not `straight`
    wire: Decode  # msgspec into wire Structs, then the records
    wire_only: msgspec.json.Decoder[Any]
    straight: Decode | None = None  # "now", where the gateway decodes straight into the records

    @property
    def now(self) -> Decode:
        return self.straight or self.parsed

    def old(self, raw: bytes) -> list[Any]:
        with old_records():
            return self.parsed(raw)


KINDS = (
    Kind("consents", "/consents", OTHER, _rows(_consent, "consents"), msgspec_consents, _CONSENTS),
    Kind("threads", "/threads", INBOX, _rows(_thread, "threads"), msgspec_threads, _THREADS, straight_threads),
    Kind("messages", "/messages", INBOX, _rows(_message, "messages"), msgspec_messages, _MESSAGES, straight_messages),
    Kind("CareTeam + _include", "/fhir/CareTeam", FHIR, parsed_care_teams, msgspec_care_teams, _BUNDLE),
    Kind("Appointment", "/fhir/Appointment", FHIR, parsed_appointments, msgspec_appointments, _BUNDLE),
    Kind("Location", "/fhir/Location", FHIR, parsed_locations, msgspec_locations, _BUNDLE),
    Kind("Practitioner", "/fhir/Practitioner", BY_ID, parsed_practitioners, msgspec_practitioners, _BUNDLE),
    Kind("Organization", "/fhir/Organization", BY_ID, parsed_organizations, msgspec_organizations, _BUNDLE),
)


@dataclass(frozen=True)
class Body:
    kind: Kind
    url: str
    raw: bytes
    records: int


async def page_bodies() -> list[Body]:
    """The bodies of the page's upstream GETs (and the two searches by id), fetched again as bytes."""
    asked: list[str] = []

    async def note(session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.method == "GET":
            asked.append(str(params.url))

    tracing = aiohttp.TraceConfig()
    tracing.on_request_end.append(note)
    async with await start_sandbox() as sandbox, aiohttp.ClientSession(trace_configs=[tracing]) as http:
        sources = Sources.build(http, sandbox_settings(sandbox))
        principal = Principal(PrincipalKind.PERSON, pid=KARI, assurance=Assurance.HIGH)
        context = GatewayContext(principal, sources, system_clock, MemoryAuditLog(), MemoryEventBus())
        result = await build_schema(Settings()).execute(
            INBOX_PAGE, variable_values={"person": KARI, "first": FIRST}, context_value=context
        )
        if result.errors or not (result.data or {}).get("person"):
            raise RuntimeError(f"the inbox page came back with errors: {result.errors}")
        # What a server that ignores _include gets asked: the team's practitioners and organisations by id.
        teams = await sources.contacts.care_teams_by_subjects([KARI])
        await sources.contacts.practitioners_by_ids(sorted(teams.practitioners))
        await sources.contacts.organizations_by_ids(sorted(teams.organizations))
        bodies = []
        for url in list(dict.fromkeys(asked)):
            path = url.split("?")[0]
            kind = next((k for k in KINDS if path.endswith(k.path)), None)
            if kind is None:
                raise RuntimeError(f"the page asks {path}, which this script cannot decode: add it to KINDS")
            async with http.get(url, headers={"Accept": "application/json"}) as resp:
                resp.raise_for_status()
                raw = await resp.read()
            bodies.append(Body(kind, url, raw, len(kind.now(raw))))
    order = {kind.path: i for i, kind in enumerate(KINDS)}
    return sorted(bodies, key=lambda b: order[b.kind.path])


def _fields(value: Any) -> Any:
    """A record (old or new) as its class's name and its fields' values, records among them likewise."""
    if isinstance(value, list | tuple):
        return [_fields(v) for v in value]
    if isinstance(value, Record) or dataclasses.is_dataclass(value):
        names = value.__struct_fields__ if isinstance(value, Record) else [f.name for f in dataclasses.fields(value)]
        return (type(value).__name__, *(_fields(getattr(value, name)) for name in names))
    return value


def same_records(body: Body) -> None:
    old, wire, now = body.kind.old(body.raw), body.kind.wire(body.raw), body.kind.now(body.raw)
    assert all(dataclasses.is_dataclass(r) for r in old), f"{body.kind.label}: old_records() missed a parser"
    assert all(isinstance(r, Record) for r in now), f"{body.kind.label}: the records are not Structs"
    for label, other in (("old", old), ("wire", wire)):
        assert _fields(other) == _fields(now), f"{body.kind.label}: {label} and now differ\n{other}\n{now}"
        assert repr(other) == repr(now), f"{body.kind.label}: {label} and now differ in repr (a UTC offset?)"


def cpu_us(decode: Callable[[bytes], object], raw: bytes, runs: int) -> float:
    started = time.process_time()
    for _ in range(runs):
        decode(raw)
    return (time.process_time() - started) / runs * 1e6


@dataclass
class Figures:
    old: list[float] = dataclasses.field(default_factory=list)
    wire: list[float] = dataclasses.field(default_factory=list)
    now: list[float] = dataclasses.field(default_factory=list)
    orjson_only: list[float] = dataclasses.field(default_factory=list)
    msgspec_only: list[float] = dataclasses.field(default_factory=list)


def measure(bodies: Sequence[Body], runs: int, blocks: int) -> list[Figures]:
    figures = [Figures() for _ in bodies]
    for _ in range(blocks):
        for body, got in zip(bodies, figures, strict=True):
            with old_records():
                got.old.append(cpu_us(body.kind.parsed, body.raw, runs))
            got.wire.append(cpu_us(body.kind.wire, body.raw, runs))
            got.now.append(cpu_us(body.kind.now, body.raw, runs))
            got.orjson_only.append(cpu_us(orjson.loads, body.raw, runs))
            got.msgspec_only.append(cpu_us(body.kind.wire_only.decode, body.raw, runs))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="decodes of each body per way and block")
    parser.add_argument("--blocks", type=int, default=15, help="alternations between the three ways")
    args = parser.parse_args()
    # The seed's home visits have a Location type that names no service kind (PTRES): expected, not news.
    logging.getLogger("gateway.sources").setLevel(logging.ERROR)
    bodies = asyncio.run(page_bodies())
    for body in bodies:
        same_records(body)
    measure(bodies, max(1, args.runs // 10), 1)  # warm-up
    figures = measure(bodies, args.runs, args.blocks)
    versions = f"orjson {orjson.__version__}, msgspec {msgspec.__version__}"
    print(f"{platform.python_implementation()} {platform.python_version()}, {versions}")
    print(f"Kari's inbox page ({FIRST} threads): each upstream body decoded into records, in-process, no HTTP.")
    print(f"CPU us per body, median of {args.blocks} alternating blocks of {args.runs} decodes per way.")
    print("old: orjson + frozen dataclasses; wire: msgspec wire Structs + records; now: the gateway's way.")
    print()
    print(f"{'':<36} {'per body':^34}  {'per record':^15}  {'JSON only':^15}".rstrip())
    header = f"{'body':<21} {'bytes':>6} {'records':>7} {'old':>7} {'wire':>7} {'now':>7} {'old/now':>7}"
    header += f"  {'old':>7} {'now':>7}  {'orjson':>7} {'msgspec':>7}"
    print(header)
    totals: dict[str, list[float]] = {}  # old, wire, now: the medians, then the least of the blocks
    for group in (OTHER, INBOX, FHIR, BY_ID):
        print(f"{group}:")
        for body, got in zip(bodies, figures, strict=True):
            if body.kind.group != group:
                continue
            old, wire, now = (statistics.median(way) for way in (got.old, got.wire, got.now))
            total = totals.setdefault(group, [0.0] * 6)
            for i, figure in enumerate((old, wire, now, min(got.old), min(got.wire), min(got.now))):
                total[i] += figure
            per = max(1, body.records)
            print(
                f"  {body.kind.label:<19} {len(body.raw):>6} {body.records:>7} {old:>7.1f} {wire:>7.1f} {now:>7.1f}"
                f" {old / now:>7.2f}  {old / per:>7.2f} {now / per:>7.2f}"
                f"  {statistics.median(got.orjson_only):>7.1f} {statistics.median(got.msgspec_only):>7.1f}"
            )
    print()
    # Other processes on a shared machine only ever add time: the least of the blocks is the least disturbed.
    print("Sums of the medians, and (in brackets) of the least of the blocks:")
    page = [sum(totals[g][i] for g in (OTHER, INBOX, FHIR)) for i in range(6)]
    for label, (old, wire, now, least_old, least_wire, least_now) in [
        *((g, totals[g]) for g in (INBOX, FHIR)),
        ("the whole page", page),
    ]:
        print(
            f"{label + ':':<16} old {old:7.1f} us, wire {wire:7.1f} us, now {now:7.1f} us;"
            f" old/now {old / now:.2f} ({least_old / least_now:.2f}),"
            f" wire/now {wire / now:.2f} ({least_wire / least_now:.2f})"
        )


if __name__ == "__main__":
    main()
