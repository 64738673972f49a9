"""Folkeregisteret (Freg): persons by id, through its bulk lookup, as a public body with legal basis.

    POST {base}/folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag
         ?part=person-basis&part=relasjon-utvidet          {"foedselsEllerDNummer": [...]}

`part` asks for what the rules need and nothing more (data minimisation): the basic document, and the
relations for parental responsibility. Each element of Freg's person document is a list of entries,
current (`erGjeldende`) or historical; only current ones are read. Where Freg's public documentation
is silent (docs/contracts/registry.md), both plausible shapes are accepted: an id Freg does not know
may come as an `oppslag` entry without a `folkeregisterperson` or not at all; an element may come as
one entry instead of a list of them.

What the entries mean for the rules (deceased, resident, a document that identifies no one) is
policy/registry.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from gateway.core.enums import enum_of
from gateway.policy import registry as rules
from gateway.policy.vocabulary import AddressProtection
from gateway.sources.access_tokens import exchange_with_token, warm_up
from gateway.sources.errors import UpstreamStatusError
from gateway.sources.http import JsonHttp
from gateway.sources.maskinporten import MaskinportenTokens
from gateway.sources.parsing import contract, date_of
from gateway.sources.records import AddressRecord, PersonRecord

log = logging.getLogger(__name__)

API = ("folkeregisteret", "offentlig-med-hjemmel", "api", "v1", "personer")
PARTS = (("part", "person-basis"), ("part", "relasjon-utvidet"))
MAX_BULK_IDS = 1000  # Freg's limit per bulk lookup

_GRADES = {
    "ugradert": AddressProtection.UGRADERT,
    "fortrolig": AddressProtection.FORTROLIG,
    "strengtFortrolig": AddressProtection.STRENGT_FORTROLIG,
}
_STRICTNESS = list(AddressProtection)  # declared from the least strict to the strictest


def current(element: Any) -> list[dict[str, Any]]:
    """The current entries of one element of a person document."""
    entries = [element] if isinstance(element, dict) else element or []
    return [entry for entry in entries if isinstance(entry, dict) and entry.get("erGjeldende") is True]


def _first(element: Any) -> dict[str, Any] | None:
    entries = current(element)
    return entries[0] if entries else None


def _grade(value: Any) -> AddressProtection:
    # An unknown grade is taken as the strictest: the address is shown to no one.
    return enum_of("registry", AddressProtection, _GRADES.get(value, value), AddressProtection.STRENGT_FORTROLIG)


def _protection(document: dict[str, Any]) -> AddressProtection:
    """The strictest current grade, of the person's protection and of their address's own grading."""
    grades = [_grade(entry.get("graderingsnivaa")) for entry in current(document.get("adressebeskyttelse"))]
    grades += [
        _grade(entry["adressegradering"])
        for entry in current(document.get("bostedsadresse"))
        if entry.get("adressegradering")
    ]
    return max(grades, key=_STRICTNESS.index, default=AddressProtection.UGRADERT)


def _address(document: dict[str, Any]) -> AddressRecord | None:
    """The current street address (vegadresse); Freg names the municipality by number only."""
    entry = _first(document.get("bostedsadresse"))
    road = entry.get("vegadresse") if entry else None
    if not road:
        return None
    number = road.get("adressenummer") or {}
    house = f"{number.get('husnummer') or ''}{number.get('husbokstav') or ''}"
    post = road.get("poststed") or {}
    return AddressRecord(
        street=f"{road['adressenavn']} {house}".strip(),
        postal_code=post["postnummer"],
        city=post["poststedsnavn"],
        municipality_number=road.get("kommunenummer"),
    )


def _responsibility(document: dict[str, Any], person_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the children this person has parental responsibility for, the persons responsible for them)."""
    entries = [e for e in current(document.get("foreldreansvar")) if e.get("ansvarlig") and e.get("ansvarssubjekt")]
    children = [e["ansvarssubjekt"] for e in entries if e["ansvarlig"] == person_id]
    parents = [e["ansvarlig"] for e in entries if e["ansvarssubjekt"] == person_id]
    return tuple(dict.fromkeys(children)), tuple(dict.fromkeys(parents))


def person_of(person_id: str, document: dict[str, Any]) -> PersonRecord | None:
    """The person a Freg document describes; None when it identifies no one (policy/registry.py)."""
    name, birth = _first(document.get("navn")), _first(document.get("foedsel"))
    birth_date = birth.get("foedselsdato") if birth else None
    if not rules.identifiable(name is not None, bool(birth_date)):
        log.warning("registry: a person document without a current name or birth date is left out")
        return None
    assert name is not None and birth_date is not None
    status = _first(document.get("status"))
    status_value = status.get("status") if status else None
    children, parents = _responsibility(document, person_id)
    death_registered = bool(current(document.get("doedsfall")))
    given = " ".join(part for part in (name.get("fornavn"), name.get("mellomnavn")) if part)
    return PersonRecord(
        id=person_id,
        given_name=given,
        family_name=name["etternavn"],
        birth_date=date_of(birth_date),
        address=_address(document),
        address_protection=_protection(document),
        parental_responsibility_for=children,
        responsible_parents=parents,
        deceased=rules.is_deceased(status_value, death_registered),
        resident=rules.is_resident(status_value, death_registered),
    )


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), MAX_BULK_IDS):
        yield ids[start : start + MAX_BULK_IDS]


class RegistryClient:
    def __init__(self, http: JsonHttp, tokens: MaskinportenTokens | None = None, scope: str = "") -> None:
        self._http = http
        self._tokens = tokens
        self._scope = scope
        self._bulk_lookup_url = http.url(*API, "bulkoppslag").with_query(PARTS)

    async def persons_by_ids(self, ids: Sequence[str]) -> dict[str, PersonRecord]:
        found: dict[str, PersonRecord] = {}
        for chunk in _chunks(ids):  # one call below 1,000 ids: a page's persons always are
            found.update(await self._bulk_lookup(chunk))
        return found

    async def warm_up(self) -> None:
        await warm_up(self._tokens, self._scope, self._http.source)

    async def _bulk_lookup(self, ids: Sequence[str]) -> dict[str, PersonRecord]:
        body = {"foedselsEllerDNummer": list(ids)}
        answer = await exchange_with_token(
            self._http, self._tokens, self._scope, "POST", self._bulk_lookup_url, json=body
        )
        if answer.status >= 400:
            # Freg explains a refusal as {"kode": "FREG-...", "melding": ...}; the code says what, never who.
            raise UpstreamStatusError(self._http.source, answer.status, str(answer.body.get("kode") or ""))
        asked = set(ids)
        found: dict[str, PersonRecord] = {}
        with contract(self._http.source):
            for lookup in answer.body["oppslag"]:
                person_id, document = lookup["foedselsEllerDNummer"], lookup.get("folkeregisterperson")
                if person_id not in asked or not document:
                    continue  # an id Freg does not know (or did not ask about)
                person = person_of(person_id, document)
                if person is not None:
                    found[person_id] = person
        return found
