"""Timeavtaler: a subject's appointments (FHIR Appointment), as the rules let the viewer see them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from gateway.core.errors import BadUserInput
from gateway.engine import Selection
from gateway.policy.access import Item, item_visible, needs_service_kinds
from gateway.policy.catalog import APPOINTMENT_SERVICE
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.contacts import ContactDetails, by_practitioner, visible_contacts, with_details
from gateway.resolvers.items import appointment_kinds
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.sources.errors import SourceError
from gateway.sources.records import AppointmentRecord, ContactRecord, LocationRecord

# What an appointment's place fields read: its Location, none, or the upstream error loading it met
# (the fields that read it fail with it).
Place = LocationRecord | SourceError | None
# What its `practitioner` reads: the person's health contact with that practitioner, if the viewer may
# see it, with its details (or the upstream error loading them met); none; or the upstream error
# finding it met.
Practitioner = tuple[ContactRecord, ContactDetails | SourceError] | SourceError | None


def _appointment_key(appointment: AppointmentRecord) -> SortKey:
    return (instant_key(appointment.start), appointment.id)


# FHIR dates run from year 1 to 9999, and a search bound covers up to a day more than it says (its
# precision, an offset): bounds well inside keep every source's arithmetic in range.
EARLIEST_BOUND = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST_BOUND = dt.datetime(9998, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def _bound(value: dt.datetime | None, argument: str) -> dt.datetime | None:
    """A `from` or `to` the sources can search by, checked before any upstream call."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadUserInput(f"`{argument}` needs a time zone offset, e.g. 2026-12-01T00:00:00+01:00.", argument)
    if not EARLIEST_BOUND <= value <= LATEST_BOUND:
        raise BadUserInput(f"`{argument}` must lie between 1900-01-01 and 9998-12-31.", argument)
    return value


async def appointment_page(
    ctx: GatewayContext,
    subject: Subject,
    *,
    first: int | None,
    after: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> Page[AppointmentRecord]:
    """The subject's appointments starting within [start, end], earliest first."""
    check_first(first)
    start, end = _bound(start, "from"), _bound(end, "to")
    if start and end and end < start:
        raise BadUserInput("`to` is before `from`.", "to")
    appointments, hidden = await _visible(ctx, subject, start, end)
    appointments.sort(key=lambda a: (a.start, a.id))  # the cursor key's order, without its strings
    return paginate(
        "Appointment",
        appointments,
        key=_appointment_key,
        descending=False,
        first=first,
        after=after,
        hidden_count=hidden,
    )


async def visible_appointments(
    ctx: GatewayContext, subject: Subject, start: dt.datetime | None, end: dt.datetime | None
) -> list[AppointmentRecord]:
    return (await _visible(ctx, subject, start, end))[0]


async def _visible(
    ctx: GatewayContext, subject: Subject, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[list[AppointmentRecord], int]:
    """The subject's appointments the viewer may see, and how many were withheld."""
    listing = ctx.decisions.service(subject, APPOINTMENT_SERVICE)
    appointments = await ctx.loaders.appointments_by_window.load((subject.person.id, start, end))
    kinds = await appointment_kinds(ctx, appointments) if needs_service_kinds(subject.access) else {}
    shown = [
        a
        for a in appointments
        if item_visible(subject.access, listing, Item(APPOINTMENT_SERVICE, kinds.get(a.id), a.hidden_from_guardian))
    ]
    return shown, len(appointments) - len(shown)


def _reads_place(appointment: AppointmentRecord, selection: Selection) -> bool:
    if appointment.location_id is None:
        return False
    return (
        "location" in selection
        or "organization" in selection
        or "organizationNumber" in selection
        or ("serviceKind" in selection and appointment.service_kind is None)
    )


async def parts_of(
    ctx: GatewayContext, subject: Subject, appointments: Sequence[AppointmentRecord], selection: Selection
) -> tuple[dict[str, Place], dict[str, Practitioner]]:
    """Each appointment's place and practitioner, by appointment id, where the query reads them: each
    kind in one batch for all the appointments, both at once."""
    reading_places = [a for a in appointments if _reads_place(a, selection)]
    reading_practitioners = [a for a in appointments if a.practitioner_id] if "practitioner" in selection else []
    if reading_places and reading_practitioners:
        return await asyncio.gather(
            _places_of(ctx, reading_places), _practitioners_of(ctx, subject, reading_practitioners)
        )
    if reading_places:
        return await _places_of(ctx, reading_places), {}
    if reading_practitioners:
        return {}, await _practitioners_of(ctx, subject, reading_practitioners)
    return {}, {}


async def _places_of(ctx: GatewayContext, appointments: Sequence[AppointmentRecord]) -> dict[str, Place]:
    # Kept reference data, most of it at hand.
    ids = list(dict.fromkeys(a.location_id for a in appointments if a.location_id))
    try:
        found = dict(zip(ids, await ctx.loaders.location_by_id.load_many(ids), strict=True))
    except SourceError as failed:
        return {a.id: failed for a in appointments}
    return {a.id: found.get(a.location_id or "") for a in appointments}


async def _practitioners_of(
    ctx: GatewayContext, subject: Subject, appointments: Sequence[AppointmentRecord]
) -> dict[str, Practitioner]:
    try:
        chosen = by_practitioner(await ctx.loaders.contacts_by_subject.load(subject.person.id), ctx.now)
        shown = await visible_contacts(ctx, subject, {c.id for c in chosen.values()})
    except SourceError as failed:
        return {a.id: failed for a in appointments}
    details = await with_details(ctx, list(shown.values()))
    found: dict[str, Practitioner] = {}
    for appointment in appointments:
        contact = chosen.get(appointment.practitioner_id or "")
        visible = shown.get(contact.id) if contact else None
        found[appointment.id] = (visible, details[visible.id]) if visible else None
    return found
