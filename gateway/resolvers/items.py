"""The facts of listed items that the rules look at: which service kind an item comes from.

Kinds cost extra upstream calls (a contact's Organization, an appointment's Location), so they
are looked up only when the decision needs them: for a parent of a 12-15-year-old and for youth
access (DESIGN.md 4.5). Everything is batched through the request's loaders.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.policy.access import CHILD_PARTIAL_FROM_AGE
from gateway.policy.representation import Access, Allowed
from gateway.policy.vocabulary import Basis, ServiceKind
from gateway.request.context import GatewayContext
from gateway.resolvers.subjects import Subject
from gateway.sources.records import AppointmentRecord, ContactRecord


def needs_kinds(access: Access) -> bool:
    if not isinstance(access, Allowed):
        return False
    return access.is_youth or (access.basis is Basis.PARENT and access.subject_age >= CHILD_PARTIAL_FROM_AGE)


def _kind(value: str | None) -> ServiceKind | None:
    try:
        return ServiceKind(value) if value else None
    except ValueError:
        return None


async def contact_kinds(ctx: GatewayContext, contacts: Iterable[ContactRecord]) -> dict[str, ServiceKind | None]:
    """Contact id -> the service kind of its organisation."""
    contacts = list(contacts)
    org_ids = sorted({c.organization_id for c in contacts if c.organization_id})
    organizations = dict(zip(org_ids, await ctx.loaders.organization_by_id.load_many(org_ids), strict=True))
    return {
        c.id: _kind(org.service_kind) if (org := organizations.get(c.organization_id or "")) else None for c in contacts
    }


async def counterpart_kinds(ctx: GatewayContext, subject: Subject) -> dict[str, ServiceKind | None]:
    """The subject's contact ids -> service kind (a thread's counterpart decides its messages' kind)."""
    return await contact_kinds(ctx, await ctx.loaders.contacts_by_subject.load(subject.person.id))


async def appointment_kinds(
    ctx: GatewayContext, appointments: Iterable[AppointmentRecord]
) -> dict[str, ServiceKind | None]:
    """Appointment id -> its service category, else its location's type."""
    appointments = list(appointments)
    location_ids = sorted({a.location_id for a in appointments if a.location_id and not a.service_kind})
    locations = dict(zip(location_ids, await ctx.loaders.location_by_id.load_many(location_ids), strict=True))
    kinds: dict[str, ServiceKind | None] = {}
    for a in appointments:
        location = locations.get(a.location_id or "")
        kinds[a.id] = _kind(a.service_kind) or (_kind(location.service_kind) if location else None)
    return kinds
