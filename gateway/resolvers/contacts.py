"""Helsekontakter: a subject's GP and other health contacts (FHIR CareTeams), as the rules allow."""

from __future__ import annotations

import datetime as dt

from gateway.context import GatewayContext
from gateway.policy.access import Item, item_visible
from gateway.policy.catalog import contact_service
from gateway.policy.vocabulary import Service
from gateway.resolvers.items import contact_kinds, needs_kinds
from gateway.resolvers.subjects import Subject, service_visibility
from gateway.sources.records import ContactRecord

# The field `healthContacts` opens FASTLEGE (the GP, available with consent BASIS and by an area-1
# fullmakt); every other contact is an item of HELSEKONTAKTER and is shown only where that is.
LISTING_SERVICE = Service.FASTLEGE


def is_current(contact: ContactRecord, now: dt.datetime) -> bool:
    return contact.active and (contact.period_end is None or contact.period_end > now)


async def contacts_of(ctx: GatewayContext, subject: Subject, *, include_former: bool) -> list[ContactRecord]:
    """Current contacts first (the GP before others), then former ones, newest relationship first."""
    listing = service_visibility(ctx, subject, LISTING_SERVICE)
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    chosen = [c for c in contacts if include_former or is_current(c, ctx.now)]
    kinds = await contact_kinds(ctx, chosen) if needs_kinds(subject.access) else {}
    shown = [
        c
        for c in chosen
        if item_visible(
            subject.access, listing, Item(contact_service(c.role == "GP"), kinds.get(c.id), c.hidden_from_guardian)
        )
    ]
    start = dt.datetime.min.replace(tzinfo=dt.UTC)
    shown.sort(key=lambda c: (not is_current(c, ctx.now), c.role != "GP", -(c.period_start or start).timestamp(), c.id))
    return shown


async def contact_by_id(ctx: GatewayContext, subject: Subject, contact_id: str) -> ContactRecord | None:
    """One of the subject's contacts, as the counterpart or sender of a message the viewer may see."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    return next((c for c in contacts if c.id == contact_id), None)


async def contact_by_practitioner(ctx: GatewayContext, subject: Subject, practitioner_id: str) -> ContactRecord | None:
    """The subject's contact with this practitioner (an appointment's practitioner), current first."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    matches = [c for c in contacts if c.practitioner_id == practitioner_id]
    matches.sort(key=lambda c: not is_current(c, ctx.now))
    return matches[0] if matches else None
