"""The GP registry and care teams (FHIR R4, base `/fhir`): CareTeam, Practitioner, Organization.

One CareTeam per relationship between a patient and one health contact; its id is the contact id that
inbox threads name as `counterpartContactId`.

CareTeam searches take `_include` with the R4 reference search parameters of CareTeam: `participant`
(CareTeam.participant.member: the practitioners and organisations), `subject` and `patient`
(CareTeam.subject; no Patient is served here, so nothing is included for them) and `encounter`.
R4 defines no search parameter on `participant.onBehalfOf` or `managingOrganization`, so a team
whose member is a practitioner lists the organisation the practitioner acts for as a member too (a
second participant, without role): `_include=CareTeam:participant` then brings every Practitioner
and Organization a team needs, with no private parameter. `create_app(supports_include=False)`
stands for a server that ignores `_include`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from sandbox import fhir, seed
from sandbox.control import install_control

CARE_TEAMS = web.AppKey("contacts_care_teams", dict[str, fhir.Resource])
PRACTITIONERS = web.AppKey("contacts_practitioners", dict[str, fhir.Resource])
ORGANIZATIONS = web.AppKey("contacts_organizations", dict[str, fhir.Resource])

# The HPR number's system in HL7 Norway's no-basis-Practitioner (slice HPR).
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
PRACTITIONER_EXTENSION = "http://sandbox.helsenorge.example/fhir/StructureDefinition/accepts-new-patients"


def practitioner_resource(p: seed.Practitioner) -> fhir.Resource:
    name: dict[str, Any] = {"use": "official", "family": p.family, "given": list(p.given)}
    if p.prefix:
        name["prefix"] = [p.prefix]
    resource: fhir.Resource = {
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": {"lastUpdated": fhir.LAST_UPDATED},
        "identifier": fhir.identifiers(p.id, None if p.hpr is None else {"system": HPR_SYSTEM, "value": p.hpr}),
        "active": True,
        "name": [name],
        "telecom": [{"system": "phone", "value": p.phone, "use": "work"}],
    }
    if p.prefix:
        # An extension the gateway does not know: clients must ignore what they do not map.
        resource["extension"] = [{"url": PRACTITIONER_EXTENSION, "valueBoolean": p.id != seed.PR_HAUGLAND}]
    return resource


def care_team_resource(
    team: seed.CareTeam, practitioners: dict[str, seed.Practitioner], orgs: dict[str, seed.Organization]
) -> fhir.Resource:
    org = orgs[team.organization]
    role = {"coding": [{"system": fhir.SNOMED, "code": team.role[0], "display": team.role[1]}]}
    participant: dict[str, Any] = {"role": [role]}
    if team.practitioner is not None:
        practitioner = practitioners[team.practitioner]
        participant["member"] = {
            "reference": f"Practitioner/{practitioner.id}",
            "display": practitioner.display_name,
        }
        participant["onBehalfOf"] = {"reference": f"Organization/{org.id}", "display": org.name}
        phone = practitioner.phone
        # The organisation as a member too: the only standard search parameter `_include` can follow to it.
        participants = [participant, {"member": {"reference": f"Organization/{org.id}", "display": org.name}}]
    else:
        # FHIR allows onBehalfOf only for a Practitioner member (invariant ctm-1).
        participant["member"] = {"reference": f"Organization/{org.id}", "display": org.name}
        phone = org.phone
        participants = [participant]
    period = {"start": team.start} if team.end is None else {"start": team.start, "end": team.end}
    meta: dict[str, Any] = {"lastUpdated": fhir.LAST_UPDATED}
    if team.digital_dialogue:
        meta["tag"] = [fhir.DIGITAL_DIALOGUE_TAG]
    return {
        "resourceType": "CareTeam",
        "id": team.id,
        "meta": meta,
        "status": "active" if team.active else "inactive",
        "name": team.name,
        "subject": {"reference": f"Patient/{team.patient}"},
        "period": period,
        "participant": participants,
        "managingOrganization": [{"reference": f"Organization/{org.id}", "display": org.name}],
        "telecom": [{"system": "phone", "value": phone}],
    }


def _search_care_teams(request: web.Request) -> list[fhir.Resource]:
    teams = request.app[CARE_TEAMS]
    subject = fhir.reference_values(request, "subject", "Patient")
    patient = fhir.reference_values(request, "patient", "Patient")
    ids = fhir.token_values(request, "_id")
    if subject is None and patient is None and ids is None:
        raise fhir.invalid("CareTeam search needs 'subject', 'patient' or '_id'")
    found = list(teams.values())
    if ids is not None:
        found = fhir.by_ids(teams, ids)
    patients = set(subject or ()) | set(patient or ())
    if subject is not None or patient is not None:
        found = [t for t in found if t["subject"]["reference"].removeprefix("Patient/") in patients]
    statuses = fhir.token_values(request, "status")
    if statuses is not None:
        found = [t for t in found if t["status"] in statuses]
    return sorted(found, key=lambda t: (t["subject"]["reference"], t["id"]))


def _care_team_includes(
    practitioners: dict[str, fhir.Resource], organizations: dict[str, fhir.Resource]
) -> fhir.Includes:
    served = {"Practitioner": practitioners, "Organization": organizations}

    def subject(team: fhir.Resource) -> list[dict[str, Any] | None]:
        return [team.get("subject")]

    return fhir.Includes(
        "CareTeam",
        {
            "participant": lambda team: [p.get("member") for p in team.get("participant") or ()],
            "subject": subject,
            "patient": subject,
            "encounter": lambda team: [team.get("encounter")],
        },
        lambda resource_type, resource_id: served.get(resource_type, {}).get(resource_id),
    )


def create_app(
    *,
    care_teams: Sequence[seed.CareTeam] | None = None,
    practitioners: Sequence[seed.Practitioner] | None = None,
    organizations: Sequence[seed.Organization] | None = None,
    supports_include: bool = True,
) -> web.Application:
    app = web.Application()
    install_control(app)
    pracs = {p.id: p for p in (seed.PRACTITIONERS if practitioners is None else practitioners)}
    orgs = {o.id: o for o in (seed.ORGANIZATIONS if organizations is None else organizations)}
    teams = seed.CARE_TEAMS if care_teams is None else care_teams
    care_team_resources = app[CARE_TEAMS] = {t.id: care_team_resource(t, pracs, orgs) for t in teams}
    practitioner_resources = app[PRACTITIONERS] = {p.id: practitioner_resource(p) for p in pracs.values()}
    organization_resources = app[ORGANIZATIONS] = {o.id: fhir.organization_resource(o) for o in orgs.values()}
    includes = _care_team_includes(practitioner_resources, organization_resources) if supports_include else None
    fhir.add_resource_routes(app, "CareTeam", care_team_resources, _search_care_teams, includes)
    fhir.add_reference_routes(app, "Practitioner", practitioner_resources)
    fhir.add_reference_routes(app, "Organization", organization_resources)
    app.router.add_get("/fhir/{type}", fhir.unknown_type)
    app.router.add_get("/fhir/{type}/{id}", fhir.unknown_type)
    return app
