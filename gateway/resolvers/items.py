"""The facts of listed items that the rules look at: which service kind an item comes from.

Kinds can cost extra upstream calls (an appointment's Location; a contact's Organization when the
contacts server did not include it with the CareTeam), so callers look them up only when
`policy.access.needs_service_kinds` says the decision needs them. Everything is batched through
the request's loaders.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.policy.vocabulary import ServiceKind
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.sources.errors import SourceError
from gateway.sources.loaders import load_by_key
from gateway.sources.records import AppointmentRecord, ContactRecord, LocationRecord


async def contact_kinds(ctx: GatewayContext, contacts: Iterable[ContactRecord]) -> dict[str, ServiceKind | None]:
    """Contact id -> the service kind of its organisation."""
    contacts = list(contacts)
    org_ids = sorted({c.organization_id for c in contacts if c.organization_id})
    organizations = await load_by_key(ctx.loaders.organization_by_id, org_ids)
    return {c.id: org.service_kind if (org := organizations.get(c.organization_id or "")) else None for c in contacts}


async def counterpart_kinds(ctx: GatewayContext, subject: Subject) -> dict[str, ServiceKind | None]:
    """The subject's contact ids -> service kind (a thread's counterpart decides its messages' kind)."""
    return await contact_kinds(ctx, await ctx.loaders.contacts_by_subject.load(subject.person.id))


def appointment_kind(
    appointment: AppointmentRecord, location: LocationRecord | SourceError | None
) -> ServiceKind | None:
    """An appointment's service category, else its location's type; None when neither says. A
    location that could not be loaded (its error) fails the kind only when the kind needs it."""
    if appointment.service_kind is not None:
        return appointment.service_kind
    if isinstance(location, SourceError):
        raise location
    return location.service_kind if location else None


async def appointment_kinds(
    ctx: GatewayContext, appointments: Iterable[AppointmentRecord]
) -> dict[str, ServiceKind | None]:
    """Appointment id -> its kind (`appointment_kind`), its locations loaded in one batch."""
    appointments = list(appointments)
    location_ids = sorted({a.location_id for a in appointments if a.location_id and not a.service_kind})
    locations = await load_by_key(ctx.loaders.location_by_id, location_ids)
    return {a.id: appointment_kind(a, locations.get(a.location_id or "")) for a in appointments}
