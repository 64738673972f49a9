"""The two FHIR R4 services: every served resource is valid R4B, searches page and filter."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner

from sandbox import Sandbox, seed
from sandbox.fhir import FHIR_JSON, LOCAL_ID_SYSTEM

MODELS = {
    "Appointment": Appointment,
    "CareTeam": CareTeam,
    "Location": Location,
    "Organization": Organization,
    "Practitioner": Practitioner,
}
PATIENTS = ",".join(f"Patient/{p.id}" for p in seed.PERSONS)


async def _get(http: aiohttp.ClientSession, url: str, params: Any = None) -> tuple[int, dict[str, Any]]:
    async with http.get(url, params=params) as resp:
        assert resp.content_type == FHIR_JSON
        return resp.status, await resp.json()


async def search_all(
    http: aiohttp.ClientSession, url: str, params: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every entry's resource, following next links; also every Bundle, for validation."""
    resources, bundles = [], []
    next_url: str | None = url
    while next_url:
        status, bundle = await _get(http, next_url, params)
        assert status == 200, bundle
        params = None  # the next link carries the whole query
        bundles.append(bundle)
        resources += [e["resource"] for e in bundle.get("entry", [])]
        next_url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert all(b["total"] == len(resources) for b in bundles)
    return resources, bundles


def _validate(resources: list[dict[str, Any]], bundles: list[dict[str, Any]]) -> None:
    for bundle in bundles:
        Bundle.model_validate(bundle)
    for resource in resources:
        MODELS[resource["resourceType"]].model_validate(resource)


async def test_every_contacts_resource_is_valid_r4b(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["contacts"]
    teams, bundles = await search_all(http, f"{base}/CareTeam", {"subject": PATIENTS, "_count": "7"})
    assert sorted(t["id"] for t in teams) == sorted(t.id for t in seed.CARE_TEAMS)
    pracs, more = await search_all(http, f"{base}/Practitioner", {"_id": ",".join(p.id for p in seed.PRACTITIONERS)})
    orgs, most = await search_all(http, f"{base}/Organization", {"_id": ",".join(o.id for o in seed.ORGANIZATIONS)})
    assert len(pracs) == len(seed.PRACTITIONERS) and len(orgs) == len(seed.ORGANIZATIONS)
    _validate(teams + pracs + orgs, bundles + more + most)
    assert any("extension" in p for p in pracs)


async def test_every_appointments_resource_is_valid_r4b(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["appointments"]
    appts, bundles = await search_all(http, f"{base}/Appointment", {"patient": PATIENTS, "_count": "4"})
    assert sorted(a["id"] for a in appts) == sorted(a.id for a in seed.APPOINTMENTS)
    locs, more = await search_all(http, f"{base}/Location", {"_id": ",".join(loc.id for loc in seed.LOCATIONS)})
    orgs, most = await search_all(http, f"{base}/Organization", {"_id": ",".join(o.id for o in seed.ORGANIZATIONS)})
    assert len(locs) == len(seed.LOCATIONS) and len(orgs) == len(seed.ORGANIZATIONS)
    _validate(appts + locs + orgs, bundles + more + most)
    starts = [a["start"] for a in appts if a["participant"][0]["actor"]["reference"] == f"Patient/{seed.KARI}"]
    assert starts == sorted(starts)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 50, 200, 1000])
async def test_paging_returns_every_entry_exactly_once(
    sandbox: Sandbox, http: aiohttp.ClientSession, count: int
) -> None:
    teams, bundles = await search_all(
        http, f"{sandbox.urls['contacts']}/CareTeam", {"patient": PATIENTS, "_count": str(count)}
    )
    ids = Counter(t["id"] for t in teams)
    assert set(ids.values()) == {1}
    assert len(ids) == len(seed.CARE_TEAMS)
    assert len(bundles) == -(-len(seed.CARE_TEAMS) // min(count, 200))
    for bundle in bundles:
        assert bundle["link"][0]["relation"] == "self"
        assert all(link["url"].startswith(sandbox.urls["contacts"]) for link in bundle["link"])


async def test_default_count_is_50(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    status, bundle = await _get(http, f"{sandbox.urls['contacts']}/CareTeam", {"subject": PATIENTS})
    assert status == 200
    assert len(bundle["entry"]) == min(50, len(seed.CARE_TEAMS))


async def test_comma_separated_and_aliased_search_params(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["contacts"]
    both = f"Patient/{seed.KARI},Patient/{seed.EMMA}"
    expected = {t.id for t in seed.CARE_TEAMS if t.patient in (seed.KARI, seed.EMMA)}
    for name in ("subject", "patient"):
        teams, _ = await search_all(http, f"{base}/CareTeam", {name: both})
        assert {t["id"] for t in teams} == expected
    teams, _ = await search_all(http, f"{base}/CareTeam", {"_id": f"{seed.CT_KARI_GP},{seed.CT_EMMA_GP},nope"})
    assert {t["id"] for t in teams} == {seed.CT_KARI_GP, seed.CT_EMMA_GP}
    teams, _ = await search_all(http, f"{base}/CareTeam", {"subject": f"Patient/{seed.KARI}", "status": "active"})
    assert {t["id"] for t in teams} == {t.id for t in seed.CARE_TEAMS if t.patient == seed.KARI and t.active}


async def test_care_team_shape(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["contacts"]
    _, gp = await _get(http, f"{base}/CareTeam/{seed.CT_KARI_GP}")
    assert gp["status"] == "active" and "end" not in gp["period"]
    assert gp["subject"] == {"reference": f"Patient/{seed.KARI}"}
    assert gp["meta"]["tag"] == [
        {"system": "urn:no:helsenorge:fhir:tag", "code": "digital-dialogue", "display": "Tilbyr digital dialog"}
    ]
    participant = gp["participant"][0]
    assert participant["role"][0]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "62247001",
        "display": "General practitioner",
    }
    assert participant["member"]["reference"] == f"Practitioner/{seed.PR_HAUGLAND}"
    assert participant["onBehalfOf"]["reference"] == f"Organization/{seed.ORG_KALFARVEIEN}"
    _, former = await _get(http, f"{base}/CareTeam/{seed.CT_KARI_GP_FORMER}")
    assert former["status"] == "inactive" and former["period"]["end"] < "2026"
    assert "tag" not in former["meta"]
    _, municipal = await _get(http, f"{base}/CareTeam/{seed.CT_JONAS_SCHOOLNURSE}")
    assert municipal["participant"][0]["member"]["reference"] == f"Organization/{seed.ORG_BERGEN_HELSESTASJON}"
    _, org = await _get(http, f"{base}/Organization/{seed.ORG_BERGEN_HELSESTASJON}")
    assert org["type"][0]["coding"][0]["code"] == "COMM"


async def test_date_filters(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    url = f"{sandbox.urls['appointments']}/Appointment"
    kari = [a for a in seed.APPOINTMENTS if a.patient == seed.KARI]

    async def ids(*dates: str) -> set[str]:
        found, _ = await search_all(http, url, [("patient", f"Patient/{seed.KARI}"), *(("date", d) for d in dates)])
        return {a["id"] for a in found}

    lo, hi = seed.at("2026-01-01 00:00"), seed.at("2026-12-15 00:00")
    assert await ids("ge2026-01-01", "le2026-12-14") == {a.id for a in kari if lo <= a.start < hi}
    assert await ids("ge2026-12-01") == {a.id for a in kari if a.start >= seed.at("2026-12-01 00:00")}
    # A time with an offset is an instant; le includes that very instant.
    assert await ids("le2026-12-14T13:00:00+01:00", "ge2026-12-14T13:00:00+01:00") == {seed.AP_KARI_GP_UPCOMING}
    assert await ids("ge2026-12-14T13:00:01+01:00", "le2026-12-31") == set()
    # Whole seconds, as Medplum compares: a fraction is dropped, so ge13:00:00.5 still takes 13:00, and
    # lt13:00:00.5 does not; le12:59:59.999999 ends with 12:59:59, and gt12:59:59.9 starts at 13:00.
    assert await ids("ge2026-12-14T13:00:00.500000+01:00", "le2026-12-14") == {seed.AP_KARI_GP_UPCOMING}
    assert await ids("ge2026-12-14", "lt2026-12-14T13:00:00.5+01:00") == set()
    assert await ids("ge2026-12-14", "le2026-12-14T12:59:59.999999+01:00") == set()
    assert await ids("gt2026-12-14T12:59:59.9+01:00", "le2026-12-14") == {seed.AP_KARI_GP_UPCOMING}
    assert await ids("2026-12-14") == {seed.AP_KARI_GP_UPCOMING}
    # The next link keeps both date parameters.
    found, bundles = await search_all(
        http, url, [("patient", PATIENTS), ("date", "ge2026-12-01"), ("date", "le2027-03-31"), ("_count", "2")]
    )
    upcoming = {a.id for a in seed.APPOINTMENTS if seed.at("2026-12-01 00:00") <= a.start < seed.at("2027-04-01 00:00")}
    assert {a["id"] for a in found} == upcoming and len(bundles) > 1


async def test_a_capped_page_and_no_next_links_as_faults(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    """Pages smaller than `_count` asks (a server's own page size), and searches that never link to a
    next page while `total` counts every match (Medplum's in-memory store)."""
    origin = sandbox.urls["appointments"].removesuffix("/fhir")
    url = f"{sandbox.urls['appointments']}/Appointment"
    params = {"patient": PATIENTS, "_count": "50"}
    async with http.post(f"{origin}/_sandbox/faults", json={"max_page_size": 2}) as resp:
        assert resp.status == 200 and (await resp.json())["max_page_size"] == 2
    status, capped = await _get(http, url, params)
    assert status == 200 and len(capped["entry"]) == 2 and capped["total"] == len(seed.APPOINTMENTS)
    assert [link["relation"] for link in capped["link"]] == ["self", "next"]
    async with http.post(f"{origin}/_sandbox/faults", json={"omit_next_links": True}) as resp:
        assert resp.status == 200
    _, unlinked = await _get(http, url, params)
    assert unlinked["entry"] == capped["entry"] and unlinked["total"] == capped["total"]
    assert [link["relation"] for link in unlinked["link"]] == ["self"]
    Bundle.model_validate(unlinked)
    sandbox.reset()
    _, whole = await _get(http, url, params)
    assert len(whole["entry"]) == whole["total"] == len(seed.APPOINTMENTS)


async def test_actor_search_and_appointment_shape(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["appointments"]
    found, _ = await search_all(http, f"{base}/Appointment", {"actor": f"Patient/{seed.JONAS}"})
    assert {a["id"] for a in found} == {a.id for a in seed.APPOINTMENTS if a.patient == seed.JONAS}
    hidden = next(a for a in found if a["id"] == seed.AP_JONAS_GP_HIDDEN)
    assert hidden["meta"]["security"] == [
        {
            "system": "urn:no:helsenorge:fhir:security",
            "code": "GUARDIAN-RESTRICTED",
            "display": "Vergeinnsynsreservasjon",
        }
    ]
    hospital = next(a for a in found if a["id"] == seed.AP_JONAS_HOSPITAL)
    assert hospital["serviceCategory"][0]["coding"][0]["code"] == "HOSP"
    refs = [p["actor"]["reference"] for p in hospital["participant"]]
    assert refs == [f"Patient/{seed.JONAS}", f"Practitioner/{seed.PR_AAS}", f"Location/{seed.LOC_HAUKELAND_BUK}"]
    _, home = await _get(http, f"{base}/Location/{seed.LOC_HOME_OLA}")
    assert home["type"][0]["coding"][0]["code"] == "PTRES"
    assert home["address"]["line"] == [seed.FJELLVEIEN.street]
    found, _ = await search_all(http, f"{base}/Appointment", {"actor": f"Practitioner/{seed.PR_NILSEN}"})
    assert {a["id"] for a in found} == {a.id for a in seed.APPOINTMENTS if a.practitioner == seed.PR_NILSEN}


async def test_errors_are_operation_outcomes(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    contacts, appointments = sandbox.urls["contacts"], sandbox.urls["appointments"]
    cases = [
        (f"{contacts}/CareTeam", 400),
        (f"{contacts}/CareTeam?subject=", 400),
        (f"{contacts}/CareTeam?subject=Practitioner/x", 400),
        (f"{contacts}/CareTeam?subject=Patient/x&_count=abc", 400),
        (f"{contacts}/Practitioner", 400),
        (f"{contacts}/Practitioner/nope", 404),
        (f"{contacts}/Patient/{seed.KARI}", 404),
        (f"{appointments}/Appointment", 400),
        (f"{appointments}/Appointment?patient=Patient/x&date=tomorrow", 400),
        (f"{appointments}/Location", 400),
        (f"{appointments}/Appointment/nope", 404),
    ]
    for url, expected in cases:
        status, body = await _get(http, url)
        assert status == expected, url
        OperationOutcome.model_validate(body)


async def test_reads(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await _get(http, f"{sandbox.urls['contacts']}/Practitioner/{seed.PR_HAUGLAND}")
    assert status == 200 and body["name"][0]["family"] == "Haugland"
    status, body = await _get(http, f"{sandbox.urls['appointments']}/Organization/{seed.ORG_HAUKELAND}")
    assert status == 200 and body["name"] == "Haukeland universitetssjukehus"
    assert body["type"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
        "code": "HOSP",
    }


HPR = "urn:oid:2.16.578.1.12.4.1.4.4"
ENH = "urn:oid:2.16.578.1.12.4.1.4.101"


async def test_identifiers_as_no_basis_names_them(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    """The HPR number (no-basis-Practitioner, slice HPR) and the organisation number (no-basis-Organization,
    slice ENH), each after the server's own identifier; a Location's managing organisation carries its
    number in the reference too."""
    contacts, appointments = sandbox.urls["contacts"], sandbox.urls["appointments"]
    _, practitioner = await _get(http, f"{contacts}/Practitioner/{seed.PR_HAUGLAND}")
    assert practitioner["identifier"] == [
        {"system": LOCAL_ID_SYSTEM, "value": seed.PR_HAUGLAND},
        {"system": HPR, "value": "9144851"},
    ]
    for base in (contacts, appointments):
        _, organization = await _get(http, f"{base}/Organization/{seed.ORG_HAUKELAND}")
        assert organization["identifier"] == [
            {"system": LOCAL_ID_SYSTEM, "value": seed.ORG_HAUKELAND},
            {"system": ENH, "value": "102000102"},
        ]
    _, location = await _get(http, f"{appointments}/Location/{seed.LOC_HAUKELAND_BUK}")
    assert location["managingOrganization"] == {
        "reference": f"Organization/{seed.ORG_HAUKELAND_BUK}",
        "display": "Barne- og ungdomsklinikken, Haukeland universitetssjukehus",
        "identifier": {"system": ENH, "value": "102000242"},
    }


async def test_without_national_numbers_only_the_local_identifier_is_served(
    aiohttp_server: Any, http: aiohttp.ClientSession
) -> None:
    from sandbox import appointments, contacts

    practitioners = [replace(p, hpr=None) for p in seed.PRACTITIONERS]
    organizations = [replace(o, organization_number=None) for o in seed.ORGANIZATIONS]
    served = await aiohttp_server(contacts.create_app(practitioners=practitioners, organizations=organizations))
    practitioner = practitioners[0]
    _, found = await _get(http, str(served.make_url(f"/fhir/Practitioner/{practitioner.id}")))
    assert found["identifier"] == [{"system": LOCAL_ID_SYSTEM, "value": practitioner.id}]
    Practitioner.model_validate(found)
    served = await aiohttp_server(appointments.create_app(organizations=organizations))
    _, found = await _get(http, str(served.make_url(f"/fhir/Location/{seed.LOC_HAUKELAND_BUK}")))
    assert "identifier" not in found["managingOrganization"]
    _, found = await _get(http, str(served.make_url(f"/fhir/Organization/{seed.ORG_HAUKELAND}")))
    assert found["identifier"] == [{"system": LOCAL_ID_SYSTEM, "value": seed.ORG_HAUKELAND}]
    Organization.model_validate(found)


async def test_unknown_ids_are_omitted(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    found, _ = await search_all(http, f"{sandbox.urls['contacts']}/CareTeam", {"subject": "Patient/00000000000"})
    assert found == []
    found, _ = await search_all(http, f"{sandbox.urls['appointments']}/Location", {"_id": "nope"})
    assert found == []


# --- _include ----------------------------------------------------------------------------------------

INCLUDE_PARTICIPANT = ("_include", "CareTeam:participant")


def _entries(bundle: dict[str, Any], mode: str) -> list[tuple[str, str]]:
    return [
        (e["resource"]["resourceType"], e["resource"]["id"])
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == mode
    ]


def _members(teams: list[dict[str, Any]]) -> set[tuple[str, str]]:
    refs = {p["member"]["reference"] for t in teams for p in t["participant"]}
    return {(ref.split("/")[0], ref.split("/")[1]) for ref in refs}


async def test_include_participant_brings_every_practitioner_and_organization(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    base = sandbox.urls["contacts"]
    status, bundle = await _get(http, f"{base}/CareTeam", [("subject", PATIENTS), INCLUDE_PARTICIPANT])
    assert status == 200
    Bundle.model_validate(bundle)
    matches, included = _entries(bundle, "match"), _entries(bundle, "include")
    assert sorted(i for _, i in matches) == sorted(t.id for t in seed.CARE_TEAMS)
    assert bundle["total"] == len(matches)  # included resources are not counted
    assert len(included) == len(set(included))  # each once
    teams = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    assert set(included) == _members(teams)
    # Every team's organisation comes along, the onBehalfOf one of a practitioner's team too.
    assert {("Organization", t.organization) for t in seed.CARE_TEAMS} <= set(included)
    assert {("Practitioner", t.practitioner) for t in seed.CARE_TEAMS if t.practitioner} <= set(included)
    _validate([e["resource"] for e in bundle["entry"]], [])
    # Matches first, then what they include.
    modes = [e["search"]["mode"] for e in bundle["entry"]]
    assert modes == sorted(modes, key=["match", "include"].index)


@pytest.mark.parametrize("count", [1, 2, 3])
async def test_included_resources_come_on_the_page_of_the_teams_that_reference_them(
    sandbox: Sandbox, http: aiohttp.ClientSession, count: int
) -> None:
    next_url: str | None = f"{sandbox.urls['contacts']}/CareTeam"
    params: Any = [("subject", PATIENTS), INCLUDE_PARTICIPANT, ("_count", str(count))]
    matched: list[str] = []
    pages = 0
    while next_url:
        status, bundle = await _get(http, next_url, params)
        assert status == 200, bundle
        params, pages = None, pages + 1
        teams = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
        assert len(teams) <= count and bundle["total"] == len(seed.CARE_TEAMS)
        included = _entries(bundle, "include")
        assert len(included) == len(set(included)) and set(included) == _members(teams)
        matched += [t["id"] for t in teams]
        next_url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
        assert next_url is None or "_include=CareTeam:participant" in next_url
    assert sorted(matched) == sorted(t.id for t in seed.CARE_TEAMS)
    assert pages == -(-len(seed.CARE_TEAMS) // count)


async def test_include_by_id_with_a_target_type_and_the_wildcard(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    url = f"{sandbox.urls['contacts']}/CareTeam"
    both = f"{seed.CT_KARI_GP},{seed.CT_JONAS_SCHOOLNURSE}"
    _, bundle = await _get(http, url, [("_id", both), ("_include", "CareTeam:participant:Practitioner")])
    assert _entries(bundle, "include") == [("Practitioner", seed.PR_HAUGLAND)]
    _, bundle = await _get(http, url, [("_id", both), ("_include", "*")])
    assert set(_entries(bundle, "include")) == {
        ("Practitioner", seed.PR_HAUGLAND),
        ("Organization", seed.ORG_KALFARVEIEN),
        ("Organization", seed.ORG_BERGEN_HELSESTASJON),
    }
    # subject/patient name Patients, which this server does not hold: nothing to include, no error.
    _, bundle = await _get(
        http, url, [("_id", both), ("_include", "CareTeam:subject"), ("_include", "CareTeam:patient")]
    )
    assert _entries(bundle, "include") == [] and len(_entries(bundle, "match")) == 2


async def test_include_values_are_checked_as_hapi_checks_them(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    base = sandbox.urls["contacts"]
    subject = ("subject", f"Patient/{seed.KARI}")
    for value in ("CareTeam:managing-organization", "CareTeam", "CareTeam:", "participant"):
        status, body = await _get(http, f"{base}/CareTeam", [subject, ("_include", value)])
        assert status == 400, value
        OperationOutcome.model_validate(body)
        assert "Invalid _include parameter value" in body["issue"][0]["diagnostics"]
    # An include from another type can match no result of this search (there is no :iterate here).
    status, bundle = await _get(http, f"{base}/CareTeam", [subject, ("_include", "Practitioner:whatever")])
    assert status == 200 and _entries(bundle, "include") == []
    # Types with no reference parameters served here ignore _include, as a server without it does.
    status, bundle = await _get(
        http, f"{base}/Practitioner", [("_id", seed.PR_HAUGLAND), ("_include", "Practitioner:anything")]
    )
    assert status == 200 and _entries(bundle, "match") == [("Practitioner", seed.PR_HAUGLAND)]


async def test_a_server_without_include_support_ignores_it(aiohttp_server: Any, http: aiohttp.ClientSession) -> None:
    from sandbox import contacts

    server = await aiohttp_server(contacts.create_app(supports_include=False))
    status, bundle = await _get(
        http, str(server.make_url("/fhir/CareTeam")), [("subject", f"Patient/{seed.KARI}"), INCLUDE_PARTICIPANT]
    )
    assert status == 200 and _entries(bundle, "include") == []
    assert len(_entries(bundle, "match")) == sum(1 for t in seed.CARE_TEAMS if t.patient == seed.KARI)


async def test_reference_data_carries_max_age_and_a_version_and_reads_revalidate(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    """As HAPI and Medplum serve it: Cache-Control max-age, meta.versionId, ETag W/"<versionId>", 304."""
    base = sandbox.urls["contacts"]
    async with http.get(f"{base}/Organization", params={"_id": seed.ORG_HAUKELAND}) as resp:
        bundle = await resp.json(content_type=None)
        assert resp.headers["Cache-Control"] == "max-age=300"
    version = bundle["entry"][0]["resource"]["meta"]["versionId"]
    async with http.get(f"{base}/Organization/{seed.ORG_HAUKELAND}") as resp:
        assert (resp.status, resp.headers["ETag"]) == (200, f'W/"{version}"')
    sandbox.control("contacts").reference_max_age_s = 5
    async with http.get(
        f"{base}/Organization/{seed.ORG_HAUKELAND}", headers={"If-None-Match": f'W/"{version}"'}
    ) as resp:
        assert (resp.status, await resp.read(), resp.headers["Cache-Control"]) == (304, b"", "max-age=5")
    async with http.get(f"{base}/Organization/{seed.ORG_HAUKELAND}", headers={"If-None-Match": 'W/"other"'}) as resp:
        assert resp.status == 200
    # Personal data is never offered for keeping.
    async with http.get(f"{base}/CareTeam", params={"subject": f"Patient/{seed.KARI}"}) as resp:
        assert "Cache-Control" not in resp.headers
