"""Hospital, GP and municipal appointment systems (FHIR R4, base `/fhir`): Appointment, Location,
and the Organizations they point at (the same ones the contacts service serves).

Appointments are searched by `patient`, `actor` or `_id`, narrowed by `status` and by `date` (the
start), earliest first. `date` compares at whole seconds, as Medplum does (`fhir.date_filters`): a
bound's fraction of a second is dropped, so `ge08:15:00.5` still takes an appointment at 08:15:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox import fhir, seed
from sandbox.control import install_control
from sandbox.params import iso

APPOINTMENTS = web.AppKey("appointments_appointments", dict[str, fhir.Resource])
STARTS = web.AppKey("appointments_starts", dict[str, datetime])
LOCATIONS = web.AppKey("appointments_locations", dict[str, fhir.Resource])
ORGANIZATIONS = web.AppKey("appointments_organizations", dict[str, fhir.Resource])

SERVICE_CATEGORY_TEXT = {"HOSP": "Spesialisthelsetjeneste", "PC": "Fastlege", "COMM": "Kommunal helsetjeneste"}


def location_resource(loc: seed.Location, orgs: dict[str, seed.Organization]) -> fhir.Resource:
    a = loc.address
    org = orgs[loc.organization]
    managing: dict[str, Any] = {"reference": f"Organization/{org.id}", "display": org.name}
    number = fhir.organization_number(org)
    if number is not None:
        # A logical reference beside the literal one (Reference.identifier), as Norwegian hospital
        # systems send it: the organisation number comes with the Location.
        managing["identifier"] = number
    return {
        "resourceType": "Location",
        "id": loc.id,
        "meta": {"lastUpdated": fhir.LAST_UPDATED},
        "status": "active",
        "name": loc.name,
        "type": [fhir.role_code(loc.kind)],
        "address": fhir.address_json(a.street, a.postal_code, a.city, a.municipality),
        "managingOrganization": managing,
    }


def appointment_resource(
    ap: seed.Appointment, practitioners: dict[str, seed.Practitioner], locations: dict[str, seed.Location]
) -> fhir.Resource:
    meta: dict[str, Any] = {"lastUpdated": fhir.LAST_UPDATED}
    if ap.hidden_from_guardian:
        meta["security"] = [fhir.GUARDIAN_RESTRICTED]
    participants: list[dict[str, Any]] = [{"actor": {"reference": f"Patient/{ap.patient}"}, "status": "accepted"}]
    if ap.practitioner is not None:
        actor = {"reference": f"Practitioner/{ap.practitioner}", "display": practitioners[ap.practitioner].display_name}
        participants.append({"actor": actor, "status": "accepted"})
    location = locations[ap.location]
    participants.append(
        {"actor": {"reference": f"Location/{location.id}", "display": location.name}, "status": "accepted"}
    )
    category = fhir.role_code(ap.kind)
    category["text"] = SERVICE_CATEGORY_TEXT[ap.kind]
    return {
        "resourceType": "Appointment",
        "id": ap.id,
        "meta": meta,
        "status": ap.status,
        "serviceCategory": [category],
        "serviceType": [{"text": ap.service_type}],
        "description": ap.description,
        "start": iso(ap.start),
        "end": iso(ap.end),
        "minutesDuration": ap.minutes,
        "participant": participants,
    }


def _search_appointments(request: web.Request) -> list[fhir.Resource]:
    appointments, starts = request.app[APPOINTMENTS], request.app[STARTS]
    patients = fhir.reference_values(request, "patient", "Patient")
    actors = fhir.any_reference_values(request, "actor")
    ids = fhir.token_values(request, "_id")
    if patients is None and actors is None and ids is None:
        raise fhir.invalid("Appointment search needs 'patient', 'actor' or '_id'")
    found = list(appointments.values()) if ids is None else fhir.by_ids(appointments, ids)
    if patients is not None:
        wanted = {f"Patient/{p}" for p in patients}
        found = [a for a in found if wanted & _actor_refs(a)]
    if actors is not None:
        found = [a for a in found if set(actors) & _actor_refs(a)]
    statuses = fhir.token_values(request, "status")
    if statuses is not None:
        found = [a for a in found if a["status"] in statuses]
    for keep in fhir.date_filters(request):
        found = [a for a in found if keep(starts[a["id"]])]
    return sorted(found, key=lambda a: (starts[a["id"]], a["id"]))


def _actor_refs(appointment: fhir.Resource) -> set[str]:
    return {p["actor"]["reference"] for p in appointment["participant"]}


def create_app(
    *,
    appointments: Sequence[seed.Appointment] | None = None,
    locations: Sequence[seed.Location] | None = None,
    practitioners: Sequence[seed.Practitioner] | None = None,
    organizations: Sequence[seed.Organization] | None = None,
) -> web.Application:
    app = web.Application()
    install_control(app)
    pracs = {p.id: p for p in (seed.PRACTITIONERS if practitioners is None else practitioners)}
    locs = {loc.id: loc for loc in (seed.LOCATIONS if locations is None else locations)}
    rows = seed.APPOINTMENTS if appointments is None else appointments
    appointment_resources = app[APPOINTMENTS] = {a.id: appointment_resource(a, pracs, locs) for a in rows}
    app[STARTS] = {a.id: a.start for a in rows}
    orgs = {o.id: o for o in (seed.ORGANIZATIONS if organizations is None else organizations)}
    location_resources = app[LOCATIONS] = {loc.id: location_resource(loc, orgs) for loc in locs.values()}
    organization_resources = app[ORGANIZATIONS] = {o.id: fhir.organization_resource(o) for o in orgs.values()}
    fhir.add_resource_routes(app, "Appointment", appointment_resources, _search_appointments)
    fhir.add_reference_routes(app, "Location", location_resources)
    fhir.add_reference_routes(app, "Organization", organization_resources)
    app.router.add_get("/fhir/{type}", fhir.unknown_type)
    app.router.add_get("/fhir/{type}/{id}", fhir.unknown_type)
    return app
