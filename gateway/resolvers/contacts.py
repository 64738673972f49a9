"""Helsekontakter: a subject's GP and other health contacts (FHIR CareTeams)."""

from __future__ import annotations

import datetime as dt

from gateway.context import GatewayContext
from gateway.resolvers.subjects import Subject
from gateway.sources.records import ContactRecord


def is_current(contact: ContactRecord, now: dt.datetime) -> bool:
    return contact.active and (contact.period_end is None or contact.period_end > now)


async def contacts_of(ctx: GatewayContext, subject: Subject, *, include_former: bool) -> list[ContactRecord]:
    """Current contacts first (the GP before others), then former ones, newest relationship first."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    chosen = [c for c in contacts if include_former or is_current(c, ctx.now)]
    start = dt.datetime.min.replace(tzinfo=dt.UTC)
    chosen.sort(
        key=lambda c: (
            not is_current(c, ctx.now),
            c.role != "GP",
            -(c.period_start or start).timestamp(),
            c.id,
        )
    )
    return chosen


async def contact_by_id(ctx: GatewayContext, subject: Subject, contact_id: str) -> ContactRecord | None:
    """One of the subject's contacts (a thread's counterpart, a message's sender)."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    return next((c for c in contacts if c.id == contact_id), None)


async def contact_by_practitioner(ctx: GatewayContext, subject: Subject, practitioner_id: str) -> ContactRecord | None:
    """The subject's contact with this practitioner (an appointment's practitioner), current first."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    matches = [c for c in contacts if c.practitioner_id == practitioner_id]
    matches.sort(key=lambda c: not is_current(c, ctx.now))
    return matches[0] if matches else None
