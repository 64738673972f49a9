"""HPR and organisation numbers over HTTP, as a client reads them (issue 21): shown with the contact or
appointment they belong to wherever the rules show it, denied or withheld with it where they do not,
and null without an error where the FHIR server gives none."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sandbox import Sandbox, appointments, contacts, seed
from sandbox.seed import EMMA, ERIK, INGRID, JONAS, KARI, LARS, PER, SOFIE
from tests.support import GatewayClient, gateway_for, seeded_numbers

NUMBERS = ("hprNumber", "organizationNumber")
# A person's contacts and appointments with their siblings `name` and `organization`; `{contact}` and
# `{appointment}` take the numbers, or nothing.
PAGE = """query($id: ID!) {{ person(id: $id) {{
  healthContacts(includeFormer: true) {{ id name organization {contact} }}
  appointments(first: 100) {{
    hiddenCount
    nodes {{ id organization {appointment} practitioner {{ id name organization {contact} }} }}
  }}
}} }}"""
WITH_NUMBERS = PAGE.format(contact="hprNumber organizationNumber", appointment="organizationNumber")
WITHOUT_NUMBERS = PAGE.format(contact="", appointment="")


def numbers_of(*contact_ids: str) -> set[str]:
    """Every number the sandbox serves with these health contacts."""
    return {n for c in contact_ids for n in seeded_numbers("HealthContact", c).values() if n is not None}


def _decisions(result: dict[str, Any]) -> list[tuple[str, str | None, tuple[Any, ...]]]:
    return sorted(
        (e["extensions"]["code"], e["extensions"].get("reason"), tuple(e["path"])) for e in result.get("errors", [])
    )


def _without_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_numbers(v) for k, v in value.items() if k not in NUMBERS}
    if isinstance(value, list):
        return [_without_numbers(v) for v in value]
    return value


async def _page(gateway: GatewayClient, viewer: str, subject: str, query: str = WITH_NUMBERS) -> dict[str, Any]:
    return await gateway.execute(query, {"id": subject}, as_pid=viewer)


async def test_kari_sees_the_numbers_of_her_contacts_and_appointments(gateway: GatewayClient) -> None:
    result = await _page(gateway, KARI, KARI)
    assert "errors" not in result, result
    person = result["data"]["person"]
    # Her GP, Anne Haugland at Kalfarveien legesenter, as the sandbox serves them.
    gp = next(c for c in person["healthContacts"] if c["id"] == seed.CT_KARI_GP)
    assert (gp["hprNumber"], gp["organizationNumber"]) == ("9144851", "102000382")
    assert {c["id"]: {n: c[n] for n in NUMBERS} for c in person["healthContacts"]} == {
        c["id"]: seeded_numbers("HealthContact", c["id"]) for c in person["healthContacts"]
    }
    assert len(person["healthContacts"]) == 5 and all(c["organizationNumber"] for c in person["healthContacts"])

    nodes = person["appointments"]["nodes"]
    assert {a["id"]: {"organizationNumber": a["organizationNumber"]} for a in nodes} == {
        a["id"]: seeded_numbers("Appointment", a["id"]) for a in nodes
    }
    assert len(nodes) == 5 and all(a["organizationNumber"] for a in nodes)
    # An appointment's practitioner is her health contact, with the same numbers as in her list.
    visit = next(a for a in nodes if a["id"] == seed.AP_KARI_GP_UPCOMING)
    assert visit["practitioner"]["id"] == seed.CT_KARI_GP and visit["practitioner"]["hprNumber"] == "9144851"
    assert visit["organizationNumber"] == "102000382"
    # Asked for alone, the number still comes with the appointment's place.
    alone = await _page(
        gateway, KARI, KARI, "query($id: ID!) { person(id: $id) { appointments { nodes { id organizationNumber } } } }"
    )
    assert alone["data"]["person"]["appointments"]["nodes"] == [
        {n: a[n] for n in ("id", "organizationNumber")} for a in nodes
    ]


async def test_a_contact_that_is_an_organisation_has_no_hpr_number(gateway: GatewayClient) -> None:
    """Emma's helsestasjon is an organisation without a practitioner: no HPR number, and no error."""
    result = await _page(gateway, KARI, EMMA)
    assert "errors" not in result, result
    nurse = next(c for c in result["data"]["person"]["healthContacts"] if c["id"] == seed.CT_EMMA_HELSESTASJON)
    assert nurse["hprNumber"] is None and nurse["organizationNumber"] == "102000803"


async def test_a_parent_sees_the_numbers_of_a_14_year_olds_near_home_items_only(gateway: GatewayClient) -> None:
    """Kari for Jonas (14): his GP and school nurse, not his hospital contacts, and his GP appointment only."""
    result = await _page(gateway, KARI, JONAS)
    assert "errors" not in result, result
    person = result["data"]["person"]
    assert {c["id"]: {n: c[n] for n in NUMBERS} for c in person["healthContacts"]} == {
        seed.CT_JONAS_GP: {"hprNumber": "9144851", "organizationNumber": "102000382"},
        seed.CT_JONAS_SCHOOLNURSE: {"hprNumber": None, "organizationNumber": "102000803"},
    }
    appointments_ = person["appointments"]
    assert [(a["id"], a["organizationNumber"]) for a in appointments_["nodes"]] == [(seed.AP_JONAS_GP, "102000382")]
    assert appointments_["hiddenCount"] == 3
    # Nothing of the hospital (Haukeland's children's clinic) or of its practitioners.
    withheld = numbers_of(seed.CT_JONAS_HOSPITAL, seed.CT_JONAS_COORDINATOR)
    assert withheld == {"102000242", "9633401", "9512874"}
    text = str(result)
    assert not [n for n in withheld if n in text]


@pytest.mark.parametrize(
    ("viewer", "subject", "reason", "withheld"),
    [
        # A fullmakt for area 1: her GP, not her appointments nor her hospital contact.
        pytest.param(ERIK, INGRID, "PROXY_SCOPE", (seed.CT_INGRID_HOSPITAL,), id="erik-ingrid-area-1"),
        # Consent BASIS: her GP, no appointments, no other contacts.
        pytest.param(INGRID, INGRID, "CONSENT_LEVEL", (seed.CT_INGRID_HOSPITAL,), id="ingrid-basis"),
        pytest.param(KARI, SOFIE, "CHILD_AGE", (seed.CT_SOFIE_GP,), id="kari-sofie-17"),
        pytest.param(PER, LARS, "NO_RELATION", (seed.CT_LARS_GP,), id="per-lars-strengt-fortrolig"),
    ],
)
async def test_where_the_rules_deny_the_numbers_are_denied_with_their_siblings(
    gateway: GatewayClient, viewer: str, subject: str, reason: str, withheld: tuple[str, ...]
) -> None:
    token = await gateway.token(viewer)
    siblings = await gateway.execute(WITHOUT_NUMBERS, {"id": subject}, token=token)
    numbers = await gateway.execute(WITH_NUMBERS, {"id": subject}, token=token)
    # The same fields are null with the same errors, and what is shown is shown alike.
    assert _decisions(numbers) == _decisions(siblings) and reason in {r for _, r, _ in _decisions(numbers)}
    assert _without_numbers(numbers["data"]) == siblings["data"]
    text = str(numbers)
    assert numbers_of(*withheld) and not [n for n in numbers_of(*withheld) if n in text]


async def test_numbers_the_server_does_not_give_are_null_without_an_error() -> None:
    """A FHIR server whose resources carry only identifiers of other systems (here each server's own)."""
    practitioners = [replace(p, hpr=None) for p in seed.PRACTITIONERS]
    organizations = [replace(o, organization_number=None) for o in seed.ORGANIZATIONS]
    apps = {
        "contacts": contacts.create_app(practitioners=practitioners, organizations=organizations),
        "appointments": appointments.create_app(practitioners=practitioners, organizations=organizations),
    }
    async with Sandbox(apps=apps) as sandbox, gateway_for(sandbox) as gateway:
        result = await _page(gateway, KARI, KARI)
    assert "errors" not in result, result
    person = result["data"]["person"]
    gp = next(c for c in person["healthContacts"] if c["id"] == seed.CT_KARI_GP)
    assert gp["name"] == "Dr. Anne Haugland" and gp["organization"] == "Kalfarveien legesenter"
    assert all(c["hprNumber"] is None and c["organizationNumber"] is None for c in person["healthContacts"])
    nodes = person["appointments"]["nodes"]
    assert len(nodes) == 5 and all(a["organization"] and a["organizationNumber"] is None for a in nodes)
    assert all(a["practitioner"]["hprNumber"] is None for a in nodes if a["practitioner"])
