"""gateway/resolvers/contacts.py: a subject's health contacts, in order, as the rules let the viewer see them."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from gateway.core.errors import Forbidden
from gateway.policy.vocabulary import Reason
from gateway.resolvers.contacts import contact_by_id, contacts_of, is_current
from gateway.sources.records import ContactRecord, ContactRole
from sandbox.seed import (
    CT_EMMA_GP,
    CT_EMMA_HELSESTASJON,
    CT_EMMA_HOSPITAL,
    CT_INGRID_GP,
    CT_INGRID_GP_FORMER,
    CT_JONAS_COORDINATOR,
    CT_JONAS_GP,
    CT_JONAS_HOSPITAL,
    CT_JONAS_SCHOOLNURSE,
    CT_KARI_COORDINATOR,
    CT_KARI_GP,
    CT_KARI_GP_FORMER,
    CT_KARI_HOMECARE,
    CT_KARI_HOSPITAL,
    EMMA,
    ERIK,
    INGRID,
    JONAS,
    KARI,
)
from tests.request.factory import Contexts, service_client
from tests.support import TEST_NOW


def ids(contacts: list[ContactRecord]) -> list[str]:
    return [c.id for c in contacts]


async def test_current_before_former_the_gp_first_then_the_newest_relationship(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    contacts = await contacts_of(ctx, kari, include_former=True)
    # Current: the GP, then by start, newest first (home care 2026, coordinator and hospital 2025);
    # then the former GP.
    assert ids(contacts) == [CT_KARI_GP, CT_KARI_HOMECARE, CT_KARI_COORDINATOR, CT_KARI_HOSPITAL, CT_KARI_GP_FORMER]
    assert contacts[0].role is ContactRole.GP
    current = await contacts_of(ctx, kari, include_former=False)
    assert ids(current) == ids(contacts)[:-1]


async def test_the_gp_comes_first_even_when_another_relationship_is_newer(contexts: Contexts) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)  # under 12: every contact is FULL for a parent
    # The hospital relationship (2026) and the health visitor (2019) around the GP (2021).
    assert ids(await contacts_of(ctx, emma, include_former=True)) == [
        CT_EMMA_GP,
        CT_EMMA_HOSPITAL,
        CT_EMMA_HELSESTASJON,
    ]


async def test_a_parent_of_jonas_who_is_14_sees_only_gp_and_municipal_contacts(contexts: Contexts) -> None:
    ctx, jonas = await contexts.subject(KARI, JONAS)
    assert ids(await contacts_of(ctx, jonas, include_former=True)) == [CT_JONAS_GP, CT_JONAS_SCHOOLNURSE]
    # The same rule for a contact reached by id (a thread's counterpart, a message's sender).
    assert await contact_by_id(ctx, jonas, CT_JONAS_HOSPITAL) is None
    assert await contact_by_id(ctx, jonas, CT_JONAS_COORDINATOR) is None
    found = await contact_by_id(ctx, jonas, CT_JONAS_SCHOOLNURSE)
    assert found is not None and found.id == CT_JONAS_SCHOOLNURSE


async def test_youth_access_shows_the_gp_only(contexts: Contexts) -> None:
    ctx, jonas = await contexts.subject(JONAS, JONAS)
    assert ids(await contacts_of(ctx, jonas, include_former=True)) == [CT_JONAS_GP]
    assert await contact_by_id(ctx, jonas, CT_JONAS_SCHOOLNURSE) is None


async def test_consent_basis_and_an_area_1_fullmakt_show_the_gps_only(contexts: Contexts) -> None:
    for viewer in (INGRID, ERIK):
        ctx, ingrid = await contexts.subject(viewer, INGRID)
        assert ids(await contacts_of(ctx, ingrid, include_former=True)) == [CT_INGRID_GP, CT_INGRID_GP_FORMER]


async def test_another_persons_contact_is_absent(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    assert await contact_by_id(ctx, kari, CT_JONAS_GP) is None
    assert await contact_by_id(ctx, kari, "ct-does-not-exist") is None
    assert (await contact_by_id(ctx, kari, CT_KARI_GP_FORMER)) is not None  # former ones are found by id


async def test_a_service_client_gets_no_contacts(contexts: Contexts) -> None:
    ctx = contexts.of(service_client())
    kari = await ctx.decisions.required_subject(KARI)
    with pytest.raises(Forbidden) as exc:
        await contacts_of(ctx, kari, include_former=True)
    assert exc.value.reason is Reason.SERVICE_SCOPE
    assert await contact_by_id(ctx, kari, CT_KARI_GP) is None


def test_a_contact_is_current_while_active_and_before_its_end() -> None:
    base = ContactRecord(
        id="ct",
        subject_id=KARI,
        active=True,
        period_start=TEST_NOW - dt.timedelta(days=400),
        period_end=None,
        role=ContactRole.GP,
        name=None,
        practitioner_id=None,
        organization_id=None,
        phone=None,
        offers_digital_dialogue=False,
        hidden_from_guardian=False,
    )
    assert is_current(base, TEST_NOW)
    assert is_current(msgspec.structs.replace(base, period_end=TEST_NOW + dt.timedelta(seconds=1)), TEST_NOW)
    assert not is_current(msgspec.structs.replace(base, period_end=TEST_NOW), TEST_NOW)
    assert not is_current(msgspec.structs.replace(base, active=False), TEST_NOW)
