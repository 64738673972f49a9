"""Helsekontakter: a subject's GP and other health contacts (FHIR CareTeams), as the rules allow."""

from __future__ import annotations

import datetime as dt

from gateway.core.errors import Forbidden
from gateway.policy.access import Item, item_visible, needs_service_kinds
from gateway.policy.catalog import contact_service
from gateway.policy.vocabulary import Service, ServiceKind
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.items import contact_kinds
from gateway.sources.records import ContactRecord, ContactRole

# The field `healthContacts` opens FASTLEGE (the GP, available with consent BASIS and by an area-1
# fullmakt); every other contact is an item of HELSEKONTAKTER and is shown only where that is.
LISTING_SERVICE = Service.FASTLEGE


def is_current(contact: ContactRecord, now: dt.datetime) -> bool:
    return contact.active and (contact.period_end is None or contact.period_end > now)


def _item(contact: ContactRecord, kind: ServiceKind | None) -> Item:
    return Item(contact_service(contact.role is ContactRole.GP), kind, contact.hidden_from_guardian)


async def contacts_of(ctx: GatewayContext, subject: Subject, *, include_former: bool) -> list[ContactRecord]:
    """Current contacts first (the GP before others), then former ones, newest relationship first."""
    listing = ctx.decisions.service(subject, LISTING_SERVICE)
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    chosen = [c for c in contacts if include_former or is_current(c, ctx.now)]
    kinds = await contact_kinds(ctx, chosen) if needs_service_kinds(subject.access) else {}
    shown = [c for c in chosen if item_visible(subject.access, listing, _item(c, kinds.get(c.id)))]
    start = dt.datetime.min.replace(tzinfo=dt.UTC)
    shown.sort(
        key=lambda c: (
            not is_current(c, ctx.now),
            c.role is not ContactRole.GP,
            -(c.period_start or start).timestamp(),
            c.id,
        )
    )
    return shown


async def contact_by_id(ctx: GatewayContext, subject: Subject, contact_id: str) -> ContactRecord | None:
    """One of the subject's contacts (a thread's counterpart, a message's sender), if the viewer may see it."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    found = next((c for c in contacts if c.id == contact_id), None)
    return found if found is not None and await _shown(ctx, subject, found) else None


async def _shown(ctx: GatewayContext, subject: Subject, contact: ContactRecord) -> bool:
    """A contact shown outside the contacts list is still an item of its own service (FASTLEGE or
    HELSEKONTAKTER) and shown only where that service is available."""
    service = contact_service(contact.role is ContactRole.GP)
    try:
        listing = ctx.decisions.service(subject, service)
    except Forbidden:
        return False
    kinds = await contact_kinds(ctx, [contact]) if needs_service_kinds(subject.access) else {}
    return item_visible(subject.access, listing, _item(contact, kinds.get(contact.id)))


async def contact_by_practitioner(ctx: GatewayContext, subject: Subject, practitioner_id: str) -> ContactRecord | None:
    """The subject's contact with this practitioner (an appointment's practitioner), current first."""
    contacts = await ctx.loaders.contacts_by_subject.load(subject.person.id)
    matches = [c for c in contacts if c.practitioner_id == practitioner_id]
    matches.sort(key=lambda c: not is_current(c, ctx.now))
    return matches[0] if matches and await _shown(ctx, subject, matches[0]) else None
