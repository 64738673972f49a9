"""The two FHIR R4 services: every served resource is valid R4B, searches page and filter."""

from __future__ import annotations

from collections import Counter
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
from sandbox.fhir import FHIR_JSON

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
    assert await ids("2026-12-14") == {seed.AP_KARI_GP_UPCOMING}
    # The next link keeps both date parameters.
    found, bundles = await search_all(
        http, url, [("patient", PATIENTS), ("date", "ge2026-12-01"), ("date", "le2027-03-31"), ("_count", "2")]
    )
    upcoming = {a.id for a in seed.APPOINTMENTS if seed.at("2026-12-01 00:00") <= a.start < seed.at("2027-04-01 00:00")}
    assert {a["id"] for a in found} == upcoming and len(bundles) > 1


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


async def test_unknown_ids_are_omitted(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    found, _ = await search_all(http, f"{sandbox.urls['contacts']}/CareTeam", {"subject": "Patient/00000000000"})
    assert found == []
    found, _ = await search_all(http, f"{sandbox.urls['appointments']}/Location", {"_id": "nope"})
    assert found == []
