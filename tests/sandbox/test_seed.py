"""The seed's ids and cross-service references agree, and the facts docs/personas.md states hold."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from gateway.demo_tokens import PERSONAS
from sandbox import seed

ROOT = Path(__file__).resolve().parents[2]

WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    digit = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return {11: 0, 10: None}.get(digit, digit)


def is_valid_synthetic_fnr(value: str) -> bool:
    """A fødselsnummer with month + 80 (synthetic) and both mod-11 check digits right."""
    if len(value) != 11 or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    day, month = int(value[:2]), int(value[2:4]) - 80
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return False
    k1 = _check_digit(digits[:9], WEIGHTS_1)
    k2 = _check_digit(digits[:10], WEIGHTS_2)
    return k1 == digits[9] and k2 == digits[10]


def _every_person_id() -> set[str]:
    ids = {p.id for p in seed.PERSONS} | set(seed.PERSONAS)
    ids |= {child for p in seed.PERSONS for child in p.parental_responsibility_for}
    ids |= {c.person_id for c in seed.CONSENTS}
    ids |= {x for p in seed.PROXIES for x in (p.grantor, p.grantee)}
    ids |= {t.patient for t in seed.CARE_TEAMS} | {a.patient for a in seed.APPOINTMENTS}
    ids |= {t.owner for t in seed.THREADS} | {m.sent_on_behalf_of for m in seed.MESSAGES if m.sent_on_behalf_of}
    return ids


@pytest.mark.parametrize("person_id", sorted(_every_person_id()))
def test_every_person_id_passes_the_mod11_check(person_id: str) -> None:
    assert is_valid_synthetic_fnr(person_id)


def test_the_check_rejects_wrong_check_digits() -> None:
    assert not is_valid_synthetic_fnr("12848510059")
    assert not is_valid_synthetic_fnr("1284851005")


ORGANIZATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_synthetic_organization_number(value: str) -> bool:
    """9 digits with the mod-11 check digit right, and not of the series Enhetsregisteret gives out
    (its numbers begin with 8 or 9), so that no synthetic number names a real organisation."""
    if len(value) != 9 or not (value.isascii() and value.isdigit()) or value[0] in "89":
        return False
    digits = [int(c) for c in value]
    return _check_digit(digits[:8], ORGANIZATION_NUMBER_WEIGHTS) == digits[8]


def test_every_organization_has_a_unique_synthetic_organization_number() -> None:
    numbers = [o.organization_number for o in seed.ORGANIZATIONS]
    assert all(n is not None and is_valid_synthetic_organization_number(n) for n in numbers), numbers
    assert len(set(numbers)) == len(numbers)


def test_the_organization_number_check_rejects_wrong_ones() -> None:
    assert is_valid_synthetic_organization_number("123456785")  # Brønnøysundregistrene's worked example
    assert not is_valid_synthetic_organization_number("123456784")  # a wrong check digit
    assert not is_valid_synthetic_organization_number("12345678")
    assert not is_valid_synthetic_organization_number("923456783")  # right check digit, a real series


def test_every_practitioner_has_a_unique_hpr_number_of_7_digits() -> None:
    numbers = [p.hpr for p in seed.PRACTITIONERS]
    assert all(n is not None and len(n) == 7 and n.isascii() and n.isdigit() for n in numbers), numbers
    assert len(set(numbers)) == len(numbers)


def test_every_referenced_person_is_in_the_registry() -> None:
    assert _every_person_id() <= {p.id for p in seed.PERSONS}


def test_the_seeds_personas_are_the_persona_bars() -> None:
    """One list (gateway/demo_tokens.py): a persona added there is one here, in the registry under the
    name the persona bar shows."""
    assert seed.PERSONAS == tuple(p.id for p in PERSONAS)
    registry = {p.id: p for p in seed.PERSONS}
    assert [(p.id, f"{registry[p.id].given} {registry[p.id].family}") for p in PERSONAS] == [
        (p.id, p.name) for p in PERSONAS
    ]


def _table_rows(markdown: str, heading: str) -> list[tuple[str, str]]:
    """The (id, name) of each row of the first table under `heading`."""
    section = markdown.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| (\d{11}) \| ([^|]+?) \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("document", "heading"), [("docs/personas.md", "## The personas"), ("README.md", "## Demo personas")]
)
def test_the_documents_list_the_personas(document: str, heading: str) -> None:
    assert _table_rows((ROOT / document).read_text(), heading) == [(p.id, p.name) for p in PERSONAS]


def test_docs_personas_lists_the_people_who_are_not_personas() -> None:
    rows = _table_rows((ROOT / "docs/personas.md").read_text(), "## People who are not personas")
    registry = {p.id: f"{p.given} {p.family}" for p in seed.PERSONS}
    assert sorted(rows) == sorted((i, name) for i, name in registry.items() if i not in seed.PERSONAS)


def test_birth_dates_match_the_ids() -> None:
    for p in seed.PERSONS:
        year, month, day = p.birth_date.split("-")
        assert p.id[:6] == f"{day}{int(month) + 80}{year[2:]}"


def test_every_thread_counterpart_is_one_of_the_owners_care_teams() -> None:
    teams = {t.id: t for t in seed.CARE_TEAMS}
    for thread in seed.THREADS:
        assert teams[thread.counterpart_contact_id].patient == thread.owner, thread.id


def test_every_message_belongs_to_a_thread_and_in_messages_name_the_counterpart() -> None:
    threads = {t.id: t for t in seed.THREADS}
    for m in seed.MESSAGES:
        thread = threads[m.thread_id]
        expected = thread.counterpart_contact_id if m.direction == "IN" else None
        assert m.sender_contact_id == expected, m.id


def test_ids_are_unique() -> None:
    for rows in (seed.PERSONS, seed.THREADS, seed.MESSAGES, seed.CARE_TEAMS, seed.APPOINTMENTS, seed.LOCATIONS):
        ids = [r.id for r in rows]
        assert len(ids) == len(set(ids))


def test_every_appointment_practitioner_exists_and_is_on_the_patients_care_team() -> None:
    practitioners = {p.id for p in seed.PRACTITIONERS}
    teams = defaultdict(set)
    for t in seed.CARE_TEAMS:
        teams[t.patient].add(t.practitioner)
    locations = {loc.id for loc in seed.LOCATIONS}
    for a in seed.APPOINTMENTS:
        assert a.location in locations
        if a.practitioner is not None:
            assert a.practitioner in practitioners
            assert a.practitioner in teams[a.patient], a.id


def test_care_teams_reference_known_practitioners_and_organizations() -> None:
    practitioners = {p.id for p in seed.PRACTITIONERS}
    orgs = {o.id for o in seed.ORGANIZATIONS}
    for t in seed.CARE_TEAMS:
        assert t.organization in orgs
        assert t.practitioner is None or t.practitioner in practitioners


def test_every_adult_persona_has_a_current_and_a_former_gp() -> None:
    """Every adult living in Norway (Anders has emigrated: no fastlege)."""
    adults = [p for p in seed.PERSONS if p.id in seed.PERSONAS and p.birth_date < "2008-12-01" and p.status == "bosatt"]
    assert {p.id for p in adults} == {seed.KARI, seed.OLA, seed.NORA, seed.PER, seed.INGRID, seed.ERIK}
    for person in adults:
        gps = [t for t in seed.CARE_TEAMS if t.patient == person.id and t.role == seed.ROLE_GP]
        assert sorted(t.active for t in gps) == [False, True], person.id
        assert all(t.end < "2026-01-01" for t in gps if t.end)


def test_kari_has_enough_threads_to_page() -> None:
    assert Counter(t.owner for t in seed.THREADS)[seed.KARI] >= 60


def test_every_persona_with_contacts_has_threads_in_several_categories() -> None:
    categories = defaultdict(set)
    for t in seed.THREADS:
        assert t.category in seed.CATEGORIES
        categories[t.owner].add(t.category)
    for person in {t.patient for t in seed.CARE_TEAMS}:
        assert len(categories[person]) >= 2, person
    assert categories[seed.KARI] == set(seed.CATEGORIES)


def test_persona_facts() -> None:
    emma_hidden = [m for m in seed.MESSAGES if m.thread_id == seed.TH_EMMA_HIDDEN]
    assert len(emma_hidden) == 1 and emma_hidden[0].hidden_from_guardian
    threads = {t.id: t for t in seed.THREADS}
    assert threads[seed.TH_EMMA_FULLMAKT].category == "FULLMAKT"
    assert threads[seed.TH_NORA_FULLMAKT].category == "FULLMAKT"
    ingrid = {t.category for t in seed.THREADS if t.owner == seed.INGRID}
    assert {"FASTLEGEBYTTE", "HELSEUNDERSOKELSE", "DIALOG_FASTLEGE", "TIMEAVTALE"} <= ingrid
    assert any(a.hidden_from_guardian for a in seed.APPOINTMENTS if a.patient in (seed.EMMA, seed.JONAS))
    for person in (seed.KARI, seed.JONAS):
        assert any(t.role == seed.ROLE_CARE_COORDINATOR and t.active for t in seed.CARE_TEAMS if t.patient == person)
    # Upcoming ones fall in the window the demo relies on.
    upcoming = [a for a in seed.APPOINTMENTS if a.status == "booked" and a.start >= seed.at("2026-12-01 00:00")]
    assert upcoming and all(a.start < seed.at("2027-04-01 00:00") for a in upcoming)
    for person in (seed.KARI, seed.JONAS, seed.EMMA, seed.INGRID, seed.OLA):
        assert any(a.patient == person for a in seed.APPOINTMENTS)
    unread = {m.thread_id for m in seed.MESSAGES if m.read_at is None}
    assert unread and len(unread) < len(seed.THREADS)
