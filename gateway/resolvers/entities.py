"""Federation entity lookups (`_entities`): by id alone, then through the same rules as every path.

An entity is found by its own id, its subject is resolved for the viewer exactly as `person(id:)`
would be, and it is returned only if it is one of the items the viewer sees in the subject's list
(so a service gate, an item filter or a hidden-from-guardian label holds here too).
"""

from __future__ import annotations

from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers import appointments, contacts
from gateway.sources.records import AppointmentRecord, ContactRecord


async def contact(ctx: GatewayContext, contact_id: str) -> tuple[Subject, ContactRecord] | None:
    record = await ctx.loaders.contact_by_id.load(contact_id)
    if record is None:
        return None
    subject = await ctx.decisions.required_subject(record.subject_id)
    shown = await contacts.contacts_of(ctx, subject, include_former=True)
    return (subject, record) if any(c.id == contact_id for c in shown) else None


async def appointment(ctx: GatewayContext, appointment_id: str) -> tuple[Subject, AppointmentRecord] | None:
    record = await ctx.loaders.appointment_by_id.load(appointment_id)
    if record is None:
        return None
    subject = await ctx.decisions.required_subject(record.patient_id)
    shown = await appointments.visible_appointments(ctx, subject, None, None)
    return (subject, record) if any(a.id == appointment_id for a in shown) else None
