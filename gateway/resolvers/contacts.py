"""Helsekontakter: a subject's GP and other health contacts (FHIR CareTeams), as the rules allow."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence, Set

import msgspec

from gateway.policy.access import Item, item_visible, needs_service_kinds
from gateway.policy.catalog import CONTACT_LIST_SERVICE, contact_service
from gateway.policy.representation import Denied
from gateway.policy.vocabulary import ServiceKind
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.items import contact_kinds
from gateway.sources.errors import SourceError
from gateway.sources.records import ContactRecord, ContactRole, OrganizationRecord, PractitionerRecord


class ContactDetails(msgspec.Struct, frozen=True, gc=False):
    """What a contact's name, kind, organisation, address and phone are read from."""

    organization: OrganizationRecord | None
    practitioner: PractitionerRecord | None


async def details_of(ctx: GatewayContext, contacts: Sequence[ContactRecord]) -> list[ContactDetails]:
    """Each contact's organisation and practitioner, in one batch for all of them (they usually came
    with the CareTeams, `_include`, and are at hand already)."""
    loaders = ctx.loaders
    organization_ids = list(dict.fromkeys(c.organization_id for c in contacts if c.organization_id))
    practitioner_ids = list(dict.fromkeys(c.practitioner_id for c in contacts if c.practitioner_id))
    # Both batches are queued before either is awaited (`load_many` queues its keys when called), so
    # they go out together; the gather sees both batches' errors, whichever fails.
    organizations, practitioners = await asyncio.gather(
        loaders.organization_by_id.load_many(organization_ids),
        loaders.practitioner_by_id.load_many(practitioner_ids),
    )
    by_organization = dict(zip(organization_ids, organizations, strict=True))
    by_practitioner = dict(zip(practitioner_ids, practitioners, strict=True))
    return [
        ContactDetails(by_organization.get(c.organization_id or ""), by_practitioner.get(c.practitioner_id or ""))
        for c in contacts
    ]


async def with_details(
    ctx: GatewayContext, contacts: Sequence[ContactRecord]
) -> dict[str, ContactDetails | SourceError]:
    """Each contact's details by its id, in one batch, or for each the upstream error loading them
    met: then each field that reads them fails with it, and the contacts' other fields are still shown."""
    try:
        return dict(zip([c.id for c in contacts], await details_of(ctx, contacts), strict=True))
    except SourceError as failed:
        return dict.fromkeys([c.id for c in contacts], failed)


async def details_or_failure(ctx: GatewayContext, contact: ContactRecord) -> ContactDetails | SourceError:
    """One contact's details, or the upstream error loading them met (see `with_details`)."""
    return (await with_details(ctx, [contact]))[contact.id]


def is_current(contact: ContactRecord, now: dt.datetime) -> bool:
    return contact.active and (contact.period_end is None or contact.period_end > now)


def _item(contact: ContactRecord, kind: ServiceKind | None) -> Item:
    return Item(contact_service(contact.role is ContactRole.GP), kind, contact.hidden_from_guardian)


async def contacts_of(ctx: GatewayContext, subject: Subject, *, include_former: bool) -> list[ContactRecord]:
    """Current contacts first (the GP before others), then former ones, newest relationship first."""
    listing = ctx.decisions.service(subject, CONTACT_LIST_SERVICE)
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
    return (await visible_contacts(ctx, subject, {contact_id})).get(contact_id)


async def visible_contacts(ctx: GatewayContext, subject: Subject, contact_ids: Set[str]) -> dict[str, ContactRecord]:
    """Those of the subject's contacts with these ids that the viewer may see, in one batch."""
    contacts = [c for c in await ctx.loaders.contacts_by_subject.load(subject.person.id) if c.id in contact_ids]
    kinds = await contact_kinds(ctx, contacts) if contacts and needs_service_kinds(subject.access) else {}
    return {c.id: c for c in contacts if _shown(ctx, subject, c, kinds.get(c.id))}


def _shown(ctx: GatewayContext, subject: Subject, contact: ContactRecord, kind: ServiceKind | None) -> bool:
    """A contact shown outside the contacts list is still an item of its own service (FASTLEGE or
    HELSEKONTAKTER) and shown only where that service is available."""
    listing = ctx.decisions.visibility(subject, contact_service(contact.role is ContactRole.GP))
    return not isinstance(listing, Denied) and item_visible(subject.access, listing, _item(contact, kind))


def by_practitioner(contacts: Sequence[ContactRecord], now: dt.datetime) -> dict[str, ContactRecord]:
    """Practitioner id -> the subject's contact with that practitioner (an appointment's), current first."""
    chosen: dict[str, ContactRecord] = {}
    for contact in sorted(contacts, key=lambda c: not is_current(c, now)):
        if contact.practitioner_id:
            chosen.setdefault(contact.practitioner_id, contact)
    return chosen
