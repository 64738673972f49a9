"""The population registry as Folkeregisteret (Freg) serves it to a public body with legal basis.

Skatteetaten's consumer API (rettighetspakke `offentlig-med-hjemmel`), as far as its public
documentation (github.com/Skatteetaten/folkeregisteret-api-dokumentasjon) and its test data show it:

    POST {FREG_API}/personer/bulkoppslag?part=...   {"foedselsEllerDNummer": [...]}, 1 to 1,000 ids
         -> {"oppslag": [{"foedselsEllerDNummer": id, "folkeregisterperson": {...}}, ...]}
    GET  {FREG_API}/personer/{id}?part=...          -> the person document; 404 when there is none

`part` minimises what a document holds: `person-basis` (also when no `part` is given), and
`relasjon-utvidet` for `familierelasjon` and `foreldreansvar`. Every element of a document is a list
of entries, each with `erGjeldende` (current or historical); this registry keeps no history, so each
list holds the one current entry, if any.

Where the public documentation is silent, this registry chooses (docs/contracts/registry.md says the
same, and the gateway accepts both shapes of each):
- an id it does not know gets an `oppslag` entry with no `folkeregisterperson`, rather than none;
- `foedsel` is a list of entries, as every other element (`doedsfall` too);
- `foreldreansvar` appears on the child's document and on each responsible parent's, each entry naming
  both (`ansvarlig` the parent, `ansvarssubjekt` the child).

Freg has no `strengtFortroligUtland` grade: a person the seed marks STRENGT_FORTROLIG_UTLAND is served
as `strengtFortrolig`. Nor does a strictly confidential person's document hold an address.

Every call needs a Maskinporten access token for the scope `folkeregister:deling/offentligmedhjemmel`
(`Authorization: Bearer ...`), from the Maskinporten stand-in served beside the registry
(sandbox/maskinporten.py); without a valid one the answer is 401.

Errors come as Freg's: `{"kode": "FREG-...", "melding": ...}`, the injected faults' too (a 5xx, a
429). With `peer_registry` (`python -m sandbox --peer-registry`) the registry also serves the format
this project used before, `GET /persons?ids=`, for the Node peer of ../shared/peer-mesh alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from sandbox import maskinporten, seed
from sandbox.control import ERROR_BODY, install_control
from sandbox.params import id_list, json_response
from sandbox.recording import install_recording

FREG_API = "/folkeregisteret/offentlig-med-hjemmel/api/v1"
BULK_LOOKUP = f"{FREG_API}/personer/bulkoppslag"
PERSON = f"{FREG_API}/personer/{{id}}"
# How the sandbox's control counts the lookups (tests count upstream calls by route).
BULK_ROUTE, PERSON_ROUTE = f"POST {BULK_LOOKUP}", f"GET {PERSON}"
MAX_BULK_IDS = 1000
PERSON_BASIS, RELATIONS = "person-basis", "relasjon-utvidet"
SCOPE = "folkeregister:deling/offentligmedhjemmel"

PERSONS = web.AppKey("registry_persons", dict[str, seed.Person])
PARENTS = web.AppKey("registry_parents", dict[str, list[str]])

_NO_ADDRESS = {"STRENGT_FORTROLIG", "STRENGT_FORTROLIG_UTLAND"}
_GRADES = {
    "FORTROLIG": "fortrolig",
    "STRENGT_FORTROLIG": "strengtFortrolig",
    "STRENGT_FORTROLIG_UTLAND": "strengtFortrolig",
}


def freg_error(status: int, code: str, message: str) -> web.Response:
    return json_response({"kode": code, "melding": message}, status=status)


def _current(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "erGjeldende": True, "kilde": "sandbox"}


def _vegadresse(address: seed.Address) -> dict[str, Any]:
    name, _, number = address.street.rpartition(" ")
    house = {"husnummer": number.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    if letter := number[len(house["husnummer"]) :]:
        house["husbokstav"] = letter
    return {
        "adressenavn": name,
        "adressenummer": house,
        "kommunenummer": address.municipality_number,
        "poststed": {"postnummer": address.postal_code, "poststedsnavn": address.city},
    }


def _status(person: seed.Person) -> str:
    return "doed" if person.deceased else person.status


def person_document(person: seed.Person, responsible_parents: Sequence[str], parts: set[str]) -> dict[str, Any]:
    """The person as Freg shapes its document, with the `parts` asked for."""
    grade = _GRADES.get(person.address_protection)
    document: dict[str, Any] = {
        "identifikasjonsnummer": [
            _current(
                {
                    "foedselsEllerDNummer": person.id,
                    # A D-number's first digit is its day plus 4.
                    "identifikatortype": "dNummer" if person.id[0] in "4567" else "foedselsnummer",
                    "status": "iBruk",
                }
            )
        ],
        "status": [_current({"status": _status(person)})],
        "foedsel": [_current({"foedselsdato": person.birth_date, "foedselsaar": person.birth_date[:4]})],
        "navn": [_current({"fornavn": person.given, "etternavn": person.family})],
        "adressebeskyttelse": [_current({"graderingsnivaa": grade})] if grade else [],
        "bostedsadresse": [],
    }
    if person.deceased:
        document["doedsfall"] = [_current({})]
    if person.address is not None and person.address_protection not in _NO_ADDRESS:
        document["bostedsadresse"] = [
            _current({"vegadresse": _vegadresse(person.address), "adressegradering": grade or "ugradert"})
        ]
    if RELATIONS in parts:
        responsibility = [(person.id, child) for child in person.parental_responsibility_for]
        responsibility += [(parent, person.id) for parent in responsible_parents]
        document["foreldreansvar"] = [
            _current({"ansvar": "felles", "ansvarlig": parent, "ansvarssubjekt": child})
            for parent, child in responsibility
        ]
        document["familierelasjon"] = [
            _current({"relatertPerson": child, "relatertPersonsRolle": "barn", "minRolleForPerson": "forelder"})
            for child in person.parental_responsibility_for
        ] + [
            _current({"relatertPerson": parent, "relatertPersonsRolle": "forelder", "minRolleForPerson": "barn"})
            for parent in responsible_parents
        ]
    return document


def _unauthorized(request: web.Request) -> web.Response | None:
    """Freg's 401 unless the call carries a valid Maskinporten token for its scope."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    issuer = maskinporten.issuer_of(request)
    if scheme.lower() == "bearer" and request.app[maskinporten.MASKINPORTEN].verify(token, issuer, SCOPE):
        return None
    return freg_error(401, "FREG-401", "mangler gyldig tilgangstoken fra Maskinporten")


def _admitted(request: web.Request) -> set[str] | web.Response:
    """The `part`s a lookup asks for, or Freg's refusal: 401 without a valid token, 400 for a part it
    does not know."""
    if (refused := _unauthorized(request)) is not None:
        return refused
    parts = set(request.query.getall("part", [])) or {PERSON_BASIS}
    unknown = parts - {PERSON_BASIS, RELATIONS}
    if unknown:
        return freg_error(400, "FREG-001", f"ukjent part: {', '.join(sorted(unknown))}")
    return parts


def _document(request: web.Request, person: seed.Person, parts: set[str]) -> dict[str, Any]:
    return person_document(person, request.app[PARENTS].get(person.id, []), parts)


async def bulk_lookup(request: web.Request) -> web.Response:
    parts = _admitted(request)
    if isinstance(parts, web.Response):
        return parts
    try:
        body = await request.json()
    except ValueError:
        return freg_error(400, "FREG-002", "forespørselen er ikke gyldig JSON")
    ids = body.get("foedselsEllerDNummer") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return freg_error(400, "FREG-003", "foedselsEllerDNummer må være en liste med identifikatorer")
    if len(ids) > MAX_BULK_IDS:
        return freg_error(400, "FREG-004", f"høyst {MAX_BULK_IDS} identifikatorer per bulkoppslag")
    persons = request.app[PERSONS]
    lookups = []
    for person_id in dict.fromkeys(ids):
        entry: dict[str, Any] = {"foedselsEllerDNummer": person_id}
        if (person := persons.get(person_id)) is not None:
            entry["folkeregisterperson"] = _document(request, person, parts)
        lookups.append(entry)
    return json_response({"oppslag": lookups})


async def single_lookup(request: web.Request) -> web.Response:
    parts = _admitted(request)
    if isinstance(parts, web.Response):
        return parts
    person = request.app[PERSONS].get(request.match_info["id"])
    if person is None:
        return freg_error(404, "FREG-404", "fant ingen person med denne identifikatoren")
    return json_response(_document(request, person, parts))


# --- the format this project used before Freg's, for the Node peer alone ----------------------------


def _peer_address(person: seed.Person) -> dict[str, Any] | None:
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


def peer_person_json(person: seed.Person, responsible_parents: list[str]) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": {"given": person.given, "family": person.family},
        "birthDate": person.birth_date,
        "address": _peer_address(person),
        "addressProtection": person.address_protection,
        "parentalResponsibilityFor": list(person.parental_responsibility_for),
        "responsibleParents": responsible_parents,
        "deceased": person.deceased,
        "status": person.status,
    }


async def peer_persons(request: web.Request) -> web.Response:
    persons, parents = request.app[PERSONS], request.app[PARENTS]
    found = [persons[i] for i in id_list(request, "ids") if i in persons]
    return json_response({"persons": [peer_person_json(p, parents.get(p.id, [])) for p in found]})


def create_app(*, persons: Sequence[seed.Person] | None = None, peer_registry: bool = False) -> web.Application:
    app = web.Application()
    install_control(app)
    install_recording(app, "registry")
    rows = seed.PERSONS if persons is None else persons
    app[PERSONS] = {p.id: p for p in rows}
    parents: dict[str, list[str]] = {}
    for p in rows:
        for child in p.parental_responsibility_for:
            parents.setdefault(child, []).append(p.id)
    app[PARENTS] = parents
    maskinporten.install(app)
    app[ERROR_BODY] = lambda message: {"kode": "FREG-500", "melding": message}  # faults as Freg words errors
    app.router.add_post(BULK_LOOKUP, bulk_lookup)
    app.router.add_get(PERSON, single_lookup)
    if peer_registry:
        app.router.add_get("/persons", peer_persons)
    return app
