"""The registry: `GET /persons?ids=`."""

from __future__ import annotations

from typing import Any

from sandbox import registry, seed
from sandbox.seed import EMMA, HANNE, INGRID, JONAS, KARI, LARS, MAJA, NORA, OLA, PER, SOFIE


async def _persons(aiohttp_client: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    client = await aiohttp_client(registry.create_app())
    resp = await client.get("/persons", params={"ids": ",".join(ids)})
    assert resp.status == 200
    return {p["id"]: p for p in (await resp.json())["persons"]}


async def test_every_persona_is_served(aiohttp_client: Any) -> None:
    found = await _persons(aiohttp_client, [*seed.PERSONAS, "00000000000"])
    assert set(found) == set(seed.PERSONAS)
    kari = found[KARI]
    assert kari["name"] == {"given": "Kari", "family": "Nordmann"}
    assert kari["birthDate"] == "1985-04-12"
    assert kari["deceased"] is False
    assert kari["addressProtection"] == "UGRADERT"
    assert kari["address"] == {
        "street": "Kalfarveien 31",
        "postalCode": "5018",
        "city": "Bergen",
        "municipality": "Bergen",
        "municipalityNumber": "4601",
        "country": "NO",
    }
    assert kari["parentalResponsibilityFor"] == [EMMA, JONAS, SOFIE]
    for child in (EMMA, JONAS, SOFIE):
        assert found[child]["responsibleParents"] == [KARI]
        assert found[child]["address"] == kari["address"]


async def test_address_protection_facts(aiohttp_client: Any) -> None:
    found = await _persons(aiohttp_client, [NORA, LARS, PER, MAJA, HANNE, INGRID, OLA])
    assert found[NORA]["addressProtection"] == "FORTROLIG"
    assert found[NORA]["address"] is not None
    assert found[LARS]["addressProtection"] == "STRENGT_FORTROLIG"
    assert found[LARS]["address"] is None
    assert found[PER]["parentalResponsibilityFor"] == [LARS, MAJA]
    assert found[PER]["address"] != found[MAJA]["address"]
    assert set(found[MAJA]["responsibleParents"]) == {PER, HANNE}
    assert found[HANNE]["address"] == found[MAJA]["address"]
    assert found[INGRID]["parentalResponsibilityFor"] == []
    assert found[OLA]["address"]["city"] == "Bergen"


async def test_strengt_fortrolig_never_has_an_address_even_if_the_data_has_one(aiohttp_client: Any) -> None:
    person = seed.Person("x", "A", "B", "2000-01-01", seed.KALFARVEIEN, "STRENGT_FORTROLIG_UTLAND")
    client = await aiohttp_client(registry.create_app(persons=[person]))
    body = await (await client.get("/persons?ids=x")).json()
    assert body["persons"][0]["address"] is None


async def test_overrides_replace_the_seed(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app(persons=[p for p in seed.PERSONS if p.id == KARI]))
    body = await (await client.get("/persons", params={"ids": f"{KARI},{OLA}"})).json()
    assert [p["id"] for p in body["persons"]] == [KARI]


async def test_missing_or_empty_ids_is_a_400(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    for query in ("", "?ids=", "?ids=,"):
        resp = await client.get(f"/persons{query}")
        assert resp.status == 400
        assert "ids" in (await resp.json())["error"]


async def test_at_most_100_ids(aiohttp_client: Any) -> None:
    client = await aiohttp_client(registry.create_app())
    ids = [f"{n:011d}" for n in range(100)]
    assert (await client.get("/persons", params={"ids": ",".join(ids)})).status == 200
    assert (await client.get("/persons", params={"ids": ",".join([*ids, KARI])})).status == 400
