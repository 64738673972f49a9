"""The population registry (Folkeregisteret): `GET /persons?ids=a,b,c`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from sandbox import seed
from sandbox.control import install_control
from sandbox.params import id_list, json_response

PERSONS = web.AppKey("registry_persons", dict[str, seed.Person])
PARENTS = web.AppKey("registry_parents", dict[str, list[str]])

_NO_ADDRESS = {"STRENGT_FORTROLIG", "STRENGT_FORTROLIG_UTLAND"}


def _address(person: seed.Person) -> dict[str, Any] | None:
    # The registry holds no address at all for the two STRENGT kinds, whatever the data says.
    if person.address is None or person.address_protection in _NO_ADDRESS:
        return None
    a = person.address
    return {
        "street": a.street,
        "postalCode": a.postal_code,
        "city": a.city,
        "municipality": a.municipality,
        "municipalityNumber": a.municipality_number,
        "country": a.country,
    }


def person_json(person: seed.Person, responsible_parents: list[str]) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": {"given": person.given, "family": person.family},
        "birthDate": person.birth_date,
        "address": _address(person),
        "addressProtection": person.address_protection,
        "parentalResponsibilityFor": list(person.parental_responsibility_for),
        "responsibleParents": responsible_parents,
        "deceased": person.deceased,
        "status": person.status,
    }


async def get_persons(request: web.Request) -> web.Response:
    persons, parents = request.app[PERSONS], request.app[PARENTS]
    found = [persons[i] for i in id_list(request, "ids") if i in persons]
    return json_response({"persons": [person_json(p, parents.get(p.id, [])) for p in found]})


def create_app(*, persons: Sequence[seed.Person] | None = None) -> web.Application:
    app = web.Application()
    install_control(app)
    rows = seed.PERSONS if persons is None else persons
    app[PERSONS] = {p.id: p for p in rows}
    parents: dict[str, list[str]] = {}
    for p in rows:
        for child in p.parental_responsibility_for:
            parents.setdefault(child, []).append(p.id)
    app[PARENTS] = parents
    app.router.add_get("/persons", get_persons)
    return app
