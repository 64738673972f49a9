"""The registry as Folkeregisteret serves it: the bulk lookup, the single lookup, Freg's errors, `part`."""

from __future__ import annotations

from typing import Any

from sandbox import maskinporten, registry, seed
from sandbox.seed import EMMA, HANNE, JONAS, KARI, LARS, MAJA, NORA, OLA, PER, SOFIE

BOTH_PARTS = [("part", "person-basis"), ("part", "relasjon-utvidet")]


def _token(client: Any, scope: str = registry.SCOPE) -> dict[str, str]:
    """An Authorization header with a token of the app's own Maskinporten, as a client would fetch it."""
    state = client.server.app[maskinporten.MASKINPORTEN]
    return {"Authorization": f"Bearer {state.issue('test', scope, str(client.make_url(maskinporten.ISSUER_PATH)))}"}


async def _lookup(client: Any, ids: list[str], params: Any = BOTH_PARTS) -> dict[str, dict[str, Any]]:
    resp = await client.post(
        registry.BULK_LOOKUP, params=params, json={"foedselsEllerDNummer": ids}, headers=_token(client)
    )
    assert resp.status == 200
    return {entry["foedselsEllerDNummer"]: entry.get("folkeregisterperson") for entry in (await resp.json())["oppslag"]}


def _current(document: dict[str, Any], element: str) -> list[dict[str, Any]]:
    return [entry for entry in document.get(element, []) if entry["erGjeldende"]]


async def test_every_persona_is_served_as_freg_shapes_a_person(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    found = await _lookup(client, [*seed.PERSONAS, "00000000000"])
    assert found["00000000000"] is None  # an unknown id: an entry with no person (the sandbox's choice)
    assert {i for i, document in found.items() if document} == set(seed.PERSONAS)
    kari = found[KARI]
    assert _current(kari, "navn") == [
        {"fornavn": "Kari", "etternavn": "Nordmann", "erGjeldende": True, "kilde": "sandbox"}
    ]
    assert [e["foedselsdato"] for e in _current(kari, "foedsel")] == ["1985-04-12"]
    assert [e["status"] for e in _current(kari, "status")] == ["bosatt"]
    assert [e["foedselsEllerDNummer"] for e in _current(kari, "identifikasjonsnummer")] == [KARI]
    assert _current(kari, "adressebeskyttelse") == []
    (home,) = _current(kari, "bostedsadresse")
    assert home["adressegradering"] == "ugradert"
    assert home["vegadresse"] == {
        "adressenavn": "Kalfarveien",
        "adressenummer": {"husnummer": "31"},
        "kommunenummer": "4601",
        "poststed": {"postnummer": "5018", "poststedsnavn": "Bergen"},
    }
    assert {(e["ansvarlig"], e["ansvarssubjekt"]) for e in _current(kari, "foreldreansvar")} == {
        (KARI, EMMA),
        (KARI, JONAS),
        (KARI, SOFIE),
    }
    for child in (EMMA, JONAS, SOFIE):
        assert [(e["ansvarlig"], e["ansvarssubjekt"]) for e in _current(found[child], "foreldreansvar")] == [
            (KARI, child)
        ]
    assert {(e["ansvarlig"], e["ansvarssubjekt"]) for e in _current(found[MAJA], "foreldreansvar")} == {
        (PER, MAJA),
        (HANNE, MAJA),
    }


async def test_address_protection_as_freg_grades_it(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    found = await _lookup(client, [NORA, LARS, OLA])
    assert [e["graderingsnivaa"] for e in _current(found[NORA], "adressebeskyttelse")] == ["fortrolig"]
    assert [e["adressegradering"] for e in _current(found[NORA], "bostedsadresse")] == ["fortrolig"]
    assert [e["graderingsnivaa"] for e in _current(found[LARS], "adressebeskyttelse")] == ["strengtFortrolig"]
    assert _current(found[LARS], "bostedsadresse") == []  # strictly confidential: no address in the document
    assert _current(found[OLA], "bostedsadresse")[0]["vegadresse"]["poststed"]["poststedsnavn"] == "Bergen"


async def test_freg_has_no_utland_grade_and_never_an_address_for_the_strict_kinds(aiohttp_client: Any) -> None:
    person = seed.Person("x", "A", "B", "2000-01-01", seed.KALFARVEIEN, "STRENGT_FORTROLIG_UTLAND")
    client = await aiohttp_client(registry.create_app(persons=[person]))
    document = (await _lookup(client, ["x"]))["x"]
    assert [e["graderingsnivaa"] for e in _current(document, "adressebeskyttelse")] == ["strengtFortrolig"]
    assert _current(document, "bostedsadresse") == []


async def test_a_deceased_person_has_status_doed_and_a_death(aiohttp_client: Any) -> None:
    person = seed.Person("x", "A", "B", "1930-01-01", seed.KALFARVEIEN, deceased=True)
    client = await aiohttp_client(registry.create_app(persons=[person]))
    document = (await _lookup(client, ["x"]))["x"]
    assert [e["status"] for e in _current(document, "status")] == ["doed"]
    assert len(_current(document, "doedsfall")) == 1


async def test_part_minimises_the_document(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    basis = (await _lookup(client, [KARI], params=[("part", "person-basis")]))[KARI]
    assert "foreldreansvar" not in basis and "familierelasjon" not in basis and "navn" in basis
    assert "foreldreansvar" not in (await _lookup(client, [KARI], params=None))[KARI]  # no part: person-basis
    resp = await client.post(
        registry.BULK_LOOKUP,
        params={"part": "historikk"},
        json={"foedselsEllerDNummer": [KARI]},
        headers=_token(client),
    )
    assert resp.status == 400 and (await resp.json())["kode"].startswith("FREG-")


async def test_the_single_lookup_and_its_404(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    resp = await client.get(f"{registry.FREG_API}/personer/{KARI}", headers=_token(client))
    assert resp.status == 200 and _current(await resp.json(), "navn")[0]["fornavn"] == "Kari"
    resp = await client.get(f"{registry.FREG_API}/personer/00000000000", headers=_token(client))
    body = await resp.json()
    assert resp.status == 404 and body["kode"].startswith("FREG-") and body["melding"]


async def test_a_bulk_lookup_takes_1_to_1000_ids_and_refuses_others_as_freg_does(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    ids = [f"{n:011d}" for n in range(1000)]
    assert len(await _lookup(client, ids)) == 1000
    for body in ({"foedselsEllerDNummer": [*ids, KARI]}, {"foedselsEllerDNummer": []}, {"ids": [KARI]}, [KARI]):
        resp = await client.post(registry.BULK_LOOKUP, json=body, headers=_token(client))
        assert resp.status == 400, body
        assert set(await resp.json()) == {"kode", "melding"}


async def test_overrides_replace_the_seed(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app(persons=[p for p in seed.PERSONS if p.id == KARI]))
    found = await _lookup(client, [KARI, OLA])
    assert found[KARI] is not None and found[OLA] is None


async def test_the_peer_s_format_only_where_asked_for(aiohttp_client: Any) -> None:
    """`python -m sandbox --peer-registry`: the format from before Freg's, for the Node peer alone."""
    plain = await aiohttp_client(registry.create_app())
    assert (await plain.get("/persons", params={"ids": KARI})).status == 404
    peer = await aiohttp_client(registry.create_app(peer_registry=True))
    body = await (await peer.get("/persons", params={"ids": f"{KARI},{LARS}"})).json()
    persons = {p["id"]: p for p in body["persons"]}
    assert persons[KARI]["name"] == {"given": "Kari", "family": "Nordmann"} and persons[LARS]["address"] is None


async def test_every_call_needs_a_maskinporten_token_for_the_registry_s_scope(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    body = {"foedselsEllerDNummer": [KARI]}
    for headers in (
        None,
        {"Authorization": "Bearer not-a-token"},
        _token(client, scope="nhn:fullmakt/read"),  # a token of another scope
    ):
        for resp in (
            await client.post(registry.BULK_LOOKUP, json=body, headers=headers),
            await client.get(f"{registry.FREG_API}/personer/{KARI}", headers=headers),
        ):
            assert resp.status == 401, headers
            assert (await resp.json())["kode"] == "FREG-401"
    valid = _token(client)
    assert (await client.post(registry.BULK_LOOKUP, json=body, headers=valid)).status == 200
    client.server.app[maskinporten.MASKINPORTEN].rotate()  # every token issued so far is void
    assert (await client.post(registry.BULK_LOOKUP, json=body, headers=valid)).status == 401
