"""Federation entity lookups (`_entities`): by id alone, then through the same rules as every path.

An entity is found by its own id, its subject is resolved for the viewer exactly as `person(id:)`
would be, and it is returned only if it is one of the items the viewer sees in the subject's list
(so a service gate, an item filter or a hidden-from-guardian label holds here too).
"""

from __future__ import annotations

from gateway.core.errors import Forbidden
from gateway.policy.vocabulary import Reason
from gateway.request.context import GatewayContext
from gateway.resolvers import appointments, contacts
from gateway.resolvers.subjects import Subject, resolve_subject
from gateway.sources.records import AppointmentRecord, ContactRecord


async def _subject(ctx: GatewayContext, person_id: str) -> Subject:
    subject = await resolve_subject(ctx, person_id)
    if subject is None:
        raise Forbidden(Reason.NO_RELATION)
    return subject


async def contact(ctx: GatewayContext, contact_id: str) -> tuple[Subject, ContactRecord] | None:
    record = await ctx.loaders.contact_by_id.load(contact_id)
    if record is None:
        return None
    subject = await _subject(ctx, record.subject_id)
    shown = await contacts.contacts_of(ctx, subject, include_former=True)
    return (subject, record) if any(c.id == contact_id for c in shown) else None


async def appointment(ctx: GatewayContext, appointment_id: str) -> tuple[Subject, AppointmentRecord] | None:
    record = await ctx.loaders.appointment_by_id.load(appointment_id)
    if record is None:
        return None
    subject = await _subject(ctx, record.patient_id)
    shown = await appointments.visible_appointments(ctx, subject, None, None)
    return (subject, record) if any(a.id == appointment_id for a in shown) else None
