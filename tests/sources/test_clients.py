"""Source clients against the sandbox over HTTP: contracts, FHIR paging, errors that name the source."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from gateway.core.config import Settings
from gateway.policy.vocabulary import AddressProtection, ConsentLevel, ProxyKind
from gateway.sources import Sources
from gateway.sources.errors import UpstreamStatusError, UpstreamUnavailable
from gateway.sources.fhir import FhirSearch
from gateway.sources.http import JsonHttp
from gateway.sources.loaders import Loaders
from gateway.sources.records import ContactRole
from gateway.sources.registry import person_of
from sandbox import Sandbox, consent, registry
from sandbox.control import CONTROL
from sandbox.seed import CARE_TEAMS, EMMA, ERIK, INGRID, JONAS, KARI, LARS, NORA, OLA, THEA
from tests.support import settings_for


def sources_for(sandbox: Sandbox, session: aiohttp.ClientSession, **overrides: object) -> Sources:
    return Sources.build(session, settings_for(sandbox, **overrides))


async def test_registry_returns_known_persons_only(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    found = await sources_for(sandbox, session).registry.persons_by_ids([KARI, LARS, "01018510193"])
    assert set(found) == {KARI, LARS}
    assert found[KARI].given_name == "Kari" and EMMA in found[KARI].parental_responsibility_for
    assert found[LARS].address is None and found[LARS].address_protection is AddressProtection.STRENGT_FORTROLIG


def freg_document(**elements: object) -> dict[str, object]:
    """A person document as Freg shapes it: every element a list of entries, current ones marked."""
    document: dict[str, object] = {
        "navn": [{"fornavn": "Kari", "etternavn": "Nordmann", "erGjeldende": True}],
        "foedsel": [{"foedselsdato": "1985-04-12", "erGjeldende": True}],
        "status": [{"status": "bosatt", "erGjeldende": True}],
    }
    document.update(elements)
    return document


@pytest.mark.parametrize(("status", "resident"), [("bosatt", True), ("utflyttet", False), (None, False), ("x", False)])
def test_only_a_person_registered_as_bosatt_is_resident(status: str | None, resident: bool) -> None:
    """Folkeregisteret's status; a missing or unknown one is not taken as residence (when unsure, deny)."""
    statuses = [{"status": status, "erGjeldende": True}] if status else []
    person = person_of(KARI, freg_document(status=statuses))
    assert person is not None and person.resident is resident


def test_only_current_entries_are_read() -> None:
    person = person_of(
        KARI,
        freg_document(
            navn=[
                {"fornavn": "Kari", "etternavn": "Hansen", "erGjeldende": False},
                {"fornavn": "Kari", "mellomnavn": "Marie", "etternavn": "Nordmann", "erGjeldende": True},
            ],
            status=[{"status": "utflyttet", "erGjeldende": False}, {"status": "bosatt", "erGjeldende": True}],
            adressebeskyttelse=[{"graderingsnivaa": "strengtFortrolig", "erGjeldende": False}],
        ),
    )
    assert person is not None
    assert (person.given_name, person.family_name, person.resident) == ("Kari Marie", "Nordmann", True)
    assert person.address_protection is AddressProtection.UGRADERT  # the protection was lifted


@pytest.mark.parametrize(
    "death", [{"status": [{"status": "doed", "erGjeldende": True}]}, {"doedsfall": [{"erGjeldende": True}]}]
)
def test_a_person_registered_dead_is_deceased(death: dict[str, object]) -> None:
    person = person_of(KARI, freg_document(**death))
    assert person is not None and person.deceased and not person.resident


@pytest.mark.parametrize("missing", ["navn", "foedsel"])
def test_a_document_with_no_current_name_or_birth_date_identifies_no_one(missing: str) -> None:
    document = freg_document()
    document[missing] = [{**document[missing][0], "erGjeldende": False}]  # type: ignore[index]
    assert person_of(KARI, document) is None


def test_foedsel_as_one_entry_rather_than_a_list_is_read_too() -> None:
    person = person_of(KARI, freg_document(foedsel={"foedselsdato": "1985-04-12", "erGjeldende": True}))
    assert person is not None and person.birth_date.isoformat() == "1985-04-12"


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        ({"adressebeskyttelse": [{"graderingsnivaa": "fortrolig", "erGjeldende": True}]}, AddressProtection.FORTROLIG),
        (
            {"adressebeskyttelse": [{"graderingsnivaa": "hemmelig", "erGjeldende": True}]},
            AddressProtection.STRENGT_FORTROLIG,
        ),
        (
            {"bostedsadresse": [{"adressegradering": "strengtFortrolig", "erGjeldende": True}]},
            AddressProtection.STRENGT_FORTROLIG,
        ),
    ],
)
def test_the_strictest_current_grade_counts_and_an_unknown_one_is_the_strictest(
    grades: dict[str, object], expected: AddressProtection
) -> None:
    person = person_of(KARI, freg_document(**grades))
    assert person is not None and person.address_protection is expected


BULK_LOOKUP = "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag"


async def _freg(aiohttp_server, answer) -> str:  # type: ignore[no-untyped-def]
    """A Freg stand-in whose bulk lookup gives `answer(ids asked)`: (status, body)."""
    asked: list[list[str]] = []

    async def bulk_lookup(request: web.Request) -> web.Response:
        assert set(request.query.getall("part")) == {"person-basis", "relasjon-utvidet"}  # data minimisation
        ids = (await request.json())["foedselsEllerDNummer"]
        asked.append(ids)
        status, body = answer(ids)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post(BULK_LOOKUP, bulk_lookup)
    server = await aiohttp_server(app)
    return str(server.make_url(""))


async def test_an_id_freg_does_not_know_is_absent_in_either_shape(aiohttp_server, session) -> None:  # type: ignore[no-untyped-def]
    """The public docs do not say how a bulk answer reports an unknown id: an entry without a person (the
    sandbox's choice) or no entry at all. Either leaves the person out."""
    unknown, gone = "01018510193", OLA

    def answer(ids: list[str]) -> tuple[int, dict[str, object]]:
        found = [{"foedselsEllerDNummer": KARI, "folkeregisterperson": freg_document()}]
        return 200, {"oppslag": [*found, {"foedselsEllerDNummer": unknown}]}  # `gone`: no entry at all

    base = await _freg(aiohttp_server, answer)
    registry = Sources.build(session, Settings(demo=True, registry_url=base)).registry
    assert set(await registry.persons_by_ids([KARI, unknown, gone])) == {KARI}


async def test_more_ids_than_one_bulk_lookup_takes_go_in_chunks_of_1000(aiohttp_server, session) -> None:  # type: ignore[no-untyped-def]
    sizes: list[int] = []

    def answer(ids: list[str]) -> tuple[int, dict[str, object]]:
        sizes.append(len(ids))
        return (400, {"kode": "FREG-400", "melding": "for mange"}) if len(ids) > 1000 else (200, {"oppslag": []})

    base = await _freg(aiohttp_server, answer)
    registry = Sources.build(session, Settings(demo=True, registry_url=base)).registry
    assert await registry.persons_by_ids([str(n).zfill(11) for n in range(2001)]) == {}
    assert sorted(sizes) == [1, 1000, 1000]


async def test_a_refusal_names_freg_s_code_and_no_person(aiohttp_server, session) -> None:  # type: ignore[no-untyped-def]
    base = await _freg(
        aiohttp_server, lambda ids: (403, {"kode": "FREG-403", "melding": f"ingen tilgang til {ids[0]}"})
    )
    registry = Sources.build(session, Settings(demo=True, registry_url=base)).registry
    with pytest.raises(UpstreamStatusError) as raised:
        await registry.persons_by_ids([KARI])
    assert (raised.value.source, raised.value.status, raised.value.detail) == ("registry", 403, "HTTP 403 FREG-403")
    assert KARI not in str(raised.value)  # Freg's message may name the person; the error does not carry it


async def test_consent_and_proxies(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    sources = sources_for(sandbox, session)
    consents = await sources.consent.consents_by_ids([KARI, NORA, INGRID])
    assert (consents[KARI].level, consents[NORA].level, consents[INGRID].level) == (
        ConsentLevel.FULL,
        ConsentLevel.BASIS_PLUS,
        ConsentLevel.BASIS,
    )
    given = await sources.consent.proxies_by_grantees([KARI, ERIK])
    assert {(p.grantor, p.grantee) for p in given} == {
        (OLA, KARI),
        (NORA, KARI),
        (OLA, ERIK),
        (INGRID, ERIK),
        (THEA, ERIK),
    }
    assert any(p.valid_to is not None for p in given)  # expired ones too: the rules judge them
    tildelt = await sources.consent.proxies_by_grantees([OLA])
    assert {p.kind for p in tildelt} == {ProxyKind.ASSIGNED}
    assert sandbox.control("consent").counts[consent.GIVERS_ROUTE] == 3  # one call per person, as the API takes


async def test_fhir_search_follows_next_links_across_small_pages(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    whole = (await sources_for(sandbox, session).contacts.care_teams_by_subjects([KARI, JONAS])).by_subject(
        [KARI, JONAS]
    )
    sandbox.reset()
    paged = (
        await sources_for(sandbox, session, fhir_page_size=1).contacts.care_teams_by_subjects([KARI, JONAS])
    ).by_subject([KARI, JONAS])
    assert paged == whole
    assert sandbox.control("contacts").total == sum(len(v) for v in whole.values())  # one request per page


async def test_fhir_search_stops_at_the_page_limit(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    contacts = sources_for(sandbox, session, fhir_page_size=1, fhir_max_pages=2).contacts
    with pytest.raises(UpstreamUnavailable) as raised:
        await contacts.care_teams_by_subjects([KARI])
    assert raised.value.source == "contacts"


async def test_fhir_looks_up_ids_a_page_at_a_time_from_a_server_without_next_links(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    control = sandbox.control("contacts")
    control.max_page_size, control.omit_next_links = 2, True
    ids = list(dict.fromkeys(t.practitioner for t in CARE_TEAMS if t.practitioner is not None))
    found = await sources_for(sandbox, session, fhir_page_size=2).contacts.practitioners_by_ids(ids)
    assert sorted(found) == sorted(ids) and len(ids) > 2
    assert control.counts == {"GET /fhir/Practitioner": (len(ids) + 1) // 2}  # one search per 2 ids


async def test_appointments_by_window(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    import datetime as dt

    appointments = sources_for(sandbox, session).appointments
    everything = (await appointments.appointments_by_patients([KARI]))[KARI]
    since = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    later = (await appointments.appointments_by_patients([KARI], since))[KARI]
    assert later == [a for a in everything if a.start >= since]
    assert 0 < len(later) < len(everything)


@pytest.mark.parametrize(
    ("fault", "error"),
    [("down", UpstreamUnavailable), ("fail_status", UpstreamStatusError), ("malformed", UpstreamUnavailable)],
)
async def test_faults_become_errors_that_name_the_source(
    sandbox: Sandbox, session: aiohttp.ClientSession, fault: str, error: type[Exception]
) -> None:
    setattr(sandbox.control("registry"), fault, 502 if fault == "fail_status" else True)
    with pytest.raises(error) as raised:
        await sources_for(sandbox, session).registry.persons_by_ids([KARI])
    assert raised.value.source == "registry"


async def test_a_timeout_is_unavailable(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    sandbox.control("inbox").latency_ms = 500
    with pytest.raises(UpstreamUnavailable) as raised:
        await sources_for(sandbox, session, upstream_timeout_s=0.1).inbox.threads_by_owners([KARI])
    assert raised.value.source == "inbox"


async def _fhir_server(aiohttp_server, bundle: dict) -> str:
    async def search(request: web.Request) -> web.Response:
        return web.json_response(bundle)

    app = web.Application()
    app.router.add_get("/fhir/CareTeam", search)
    server = await aiohttp_server(app)
    return str(server.make_url("/fhir"))


async def test_fhir_ignores_unknown_fields_included_resources_and_extensions(aiohttp_server, session) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "someFutureElement": {"x": 1},
        "entry": [
            {
                "resource": {
                    "resourceType": "CareTeam",
                    "id": "ct-1",
                    "status": "active",
                    "extension": [{"url": "http://example.org/x", "valueString": "y"}],
                    "subject": {"reference": f"Patient/{KARI}"},
                    "participant": [{"member": {"reference": "Practitioner/p1", "display": "Dr. X"}}],
                    "unknownElement": True,
                },
                "search": {"mode": "match"},
            },
            {"resource": {"resourceType": "Practitioner", "id": "p1"}, "search": {"mode": "include"}},
            {"resource": {"resourceType": "OperationOutcome", "issue": []}, "search": {"mode": "outcome"}},
        ],
    }
    url = await _fhir_server(aiohttp_server, bundle)
    settings = Settings(demo=True, contacts_url=url)
    found = (await Sources.build(session, settings).contacts.care_teams_by_subjects([KARI])).by_subject([KARI])
    assert [(c.id, c.practitioner_id, c.role) for c in found[KARI]] == [("ct-1", "p1", ContactRole.OTHER)]


def _care_team(n: int) -> dict:
    return {
        "resource": {"resourceType": "CareTeam", "id": f"ct-{n}", "subject": {"reference": f"Patient/{KARI}"}},
        "search": {"mode": "match"},
    }


async def test_fhir_refuses_a_searchset_that_ends_before_its_total(aiohttp_server, session) -> None:
    """Two of three announced matches and no next link (Medplum's in-memory store with _count=2)."""
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": 3, "entry": [_care_team(1), _care_team(2)]}
    url = await _fhir_server(aiohttp_server, bundle)
    fhir = FhirSearch(JsonHttp("contacts", session, url, 2.0), page_size=2, max_pages=5)
    with pytest.raises(UpstreamUnavailable, match="2 of 3 matches"):
        await fhir.search("CareTeam", {"subject": f"Patient/{KARI}"})


async def test_fhir_takes_a_searchset_that_holds_its_total_or_gives_none(aiohttp_server, session) -> None:
    for extra in ({"total": 2}, {}):
        bundle = {"resourceType": "Bundle", "type": "searchset", **extra, "entry": [_care_team(1), _care_team(2)]}
        url = await _fhir_server(aiohttp_server, bundle)
        fhir = FhirSearch(JsonHttp("contacts", session, url, 2.0), page_size=2, max_pages=5)
        assert [r["id"] for r in await fhir.search("CareTeam", {"subject": f"Patient/{KARI}"})] == ["ct-1", "ct-2"]


async def test_fhir_refuses_a_next_link_to_another_server(aiohttp_server, session) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": [{"relation": "next", "url": "http://169.254.169.254/fhir/CareTeam?page=2"}],
        "entry": [],
    }
    url = await _fhir_server(aiohttp_server, bundle)
    fhir = FhirSearch(JsonHttp("contacts", session, url, 2.0), page_size=10, max_pages=5)
    with pytest.raises(UpstreamUnavailable, match="another server"):
        await fhir.search("CareTeam", {"subject": f"Patient/{KARI}"})


async def test_loaders_batch_many_loads_into_one_call(sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
    import asyncio

    loaders = Loaders(sources_for(sandbox, session))
    people = await asyncio.gather(*(loaders.person_by_id.load(p) for p in [KARI, OLA, EMMA, JONAS, KARI]))
    assert [p.id for p in people] == [KARI, OLA, EMMA, JONAS, KARI]
    assert sandbox.control("registry").counts[registry.BULK_ROUTE] == 1
    threads = await asyncio.gather(*(loaders.threads_by_owner.load(p) for p in [KARI, JONAS, "01018510193"]))
    assert len(threads[0]) >= 60 and threads[2] == []
    assert sandbox.control("inbox").counts["GET /threads"] == 1


async def test_load_many_answers_each_key_in_order_from_one_call(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    loaders = Loaders(sources_for(sandbox, session))
    people = await loaders.person_by_id.load_many([OLA, KARI, OLA, "01018510193"])
    assert [p.id if p else None for p in people] == [OLA, KARI, OLA, None]
    assert sandbox.control("registry").counts[registry.BULK_ROUTE] == 1


async def test_load_many_fails_with_its_batch_and_leaves_no_error_unseen(
    sandbox: Sandbox, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Every key of a failed batch fails; the errors of the keys after the first are seen too (asyncio
    logs `Future exception was never retrieved` for any that is not), and a later load asks again."""
    import asyncio
    import gc

    loaders = Loaders(sources_for(sandbox, session))
    sandbox.control("registry").fail_status = 502
    with pytest.raises(UpstreamStatusError):
        await loaders.person_by_id.load_many([KARI, OLA, EMMA])
    await asyncio.sleep(0)  # the callbacks that see the other keys' errors run
    loaders.person_by_id.clear_all()  # drops the last references to the failed keys' futures
    gc.collect()
    assert "never retrieved" not in caplog.text
    sandbox.control("registry").fail_status = None
    assert [p.id for p in await loaders.person_by_id.load_many([OLA, EMMA])] == [OLA, EMMA]
    assert sandbox.control("registry").counts[registry.BULK_ROUTE] == 2


# --- CareTeams with their practitioners and organisations (_include) ------------------------------------


async def test_care_teams_come_with_their_practitioners_and_organizations(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    found = await sources_for(sandbox, session).contacts.care_teams_by_subjects([KARI, JONAS])
    assert sandbox.control("contacts").counts == {"GET /fhir/CareTeam": 1}
    assert {c.subject_id for c in found.contacts} == {KARI, JONAS}
    assert {c.practitioner_id for c in found.contacts if c.practitioner_id} == set(found.practitioners)
    assert {c.organization_id for c in found.contacts} == set(found.organizations)
    assert all(o.service_kind is not None and o.name for o in found.organizations.values())
    sandbox.reset()
    # On pages of one team each, every page brings what its team references.
    paged = await sources_for(sandbox, session, fhir_page_size=1).contacts.care_teams_by_subjects([KARI, JONAS])
    assert paged == found
    assert sandbox.control("contacts").total == len(found.contacts)


async def test_loaders_take_practitioners_and_organizations_from_the_care_team_search(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    loaders = Loaders(sources_for(sandbox, session))
    contacts = await loaders.contacts_by_subject.load(KARI)
    organizations = await loaders.organization_by_id.load_many([c.organization_id for c in contacts])
    practitioners = await loaders.practitioner_by_id.load_many(
        [c.practitioner_id for c in contacts if c.practitioner_id]
    )
    assert all(organizations) and all(practitioners)
    assert sandbox.control("contacts").counts == {"GET /fhir/CareTeam": 1}
    # By CareTeam id (a federated lookup) the same.
    sandbox.reset()
    loaders = Loaders(sources_for(sandbox, session))
    contact = await loaders.contact_by_id.load(contacts[0].id)
    assert contact is not None and contact.organization_id
    assert await loaders.organization_by_id.load(contact.organization_id) == organizations[0]
    assert sandbox.control("contacts").counts == {"GET /fhir/CareTeam": 1}


async def test_loaders_fetch_by_id_from_a_server_that_ignores_include(
    sandbox: Sandbox, session: aiohttp.ClientSession, aiohttp_server
) -> None:
    from sandbox import contacts as contacts_app

    wanted = await Loaders(sources_for(sandbox, session)).contacts_by_subject.load(KARI)
    server = await aiohttp_server(contacts_app.create_app(supports_include=False))
    loaders = Loaders(sources_for(sandbox, session, contacts_url=str(server.make_url("/fhir"))))
    contacts = await loaders.contacts_by_subject.load(KARI)
    assert contacts == wanted
    organizations = await loaders.organization_by_id.load_many([c.organization_id for c in contacts])
    practitioners = await loaders.practitioner_by_id.load_many(
        [c.practitioner_id for c in contacts if c.practitioner_id]
    )
    assert all(organizations) and all(practitioners)
    counts = server.app[CONTROL].counts
    assert counts == {"GET /fhir/CareTeam": 1, "GET /fhir/Organization": 1, "GET /fhir/Practitioner": 1}


async def test_fhir_keeps_included_entries_apart_with_or_without_a_search_mode(aiohttp_server, session) -> None:
    practitioner = {"resourceType": "Practitioner", "id": "p1", "name": [{"family": "X", "given": ["Dr"]}]}
    organization = {"resourceType": "Organization", "id": "o1", "name": "Legekontoret"}
    team = {
        "resourceType": "CareTeam",
        "id": "ct-1",
        "subject": {"reference": f"Patient/{KARI}"},
        "participant": [
            {"member": {"reference": "Practitioner/p1"}, "onBehalfOf": {"reference": "Organization/o1"}},
            {"member": {"reference": "Organization/o1"}},
        ],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": team, "search": {"mode": "match"}},
            {"resource": practitioner, "search": {"mode": "include"}},
            {"resource": organization},  # search.mode is optional: another type is an include
            {"resource": {**team, "id": "ct-2"}, "search": {"mode": "include"}},  # a team, but not a match
            {"resource": {"resourceType": "Organization", "name": "no id"}, "search": {"mode": "include"}},
        ],
    }
    url = await _fhir_server(aiohttp_server, bundle)
    found = await Sources.build(session, Settings(demo=True, contacts_url=url)).contacts.care_teams_by_subjects([KARI])
    assert [(c.id, c.practitioner_id, c.organization_id) for c in found.contacts] == [("ct-1", "p1", "o1")]
    assert found.practitioners["p1"].name == "Dr X" and list(found.practitioners) == ["p1"]
    assert list(found.organizations) == ["o1"]
