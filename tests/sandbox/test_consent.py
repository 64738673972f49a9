"""The consent and proxy registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox import consent, seed
from sandbox.seed import EMMA, ERIK, INGRID, JONAS, KARI, LARS, MAJA, NORA, OLA, SOFIE, THEA, TONE


async def test_consents(aiohttp_client: Any) -> None:
    client = await aiohttp_client(consent.create_app())
    resp = await client.get("/consents", params={"ids": ",".join([*seed.PERSONAS, TONE])})
    found = {c["personId"]: c for c in (await resp.json())["consents"]}
    assert TONE not in found  # no record: the gateway reads NONE
    levels = {pid: c["level"] for pid, c in found.items()}
    assert levels[KARI] == levels[OLA] == levels[EMMA] == levels[JONAS] == levels[SOFIE] == "FULL"
    assert levels[LARS] == levels[ERIK] == levels[MAJA] == "FULL"
    assert levels[NORA] == "BASIS_PLUS"
    assert levels[INGRID] == "BASIS"
    assert found[JONAS]["youthAccess"] is True
    assert found[EMMA]["youthAccess"] is False
    assert found[MAJA]["youthAccess"] is False


async def test_proxies_by_grantee_include_expired_ones(aiohttp_client: Any) -> None:
    client = await aiohttp_client(consent.create_app())
    body = await (await client.get("/proxies", params={"grantee": f"{KARI},{ERIK}"})).json()
    by_pair = {(p["grantor"], p["grantee"]): p for p in body["proxies"]}
    # The registry lists every fullmakt, Thea's given at 15 too: judging them is the gateway's job.
    assert set(by_pair) == {(OLA, KARI), (NORA, KARI), (OLA, ERIK), (INGRID, ERIK), (THEA, ERIK)}
    ola_kari = by_pair[(OLA, KARI)]
    assert ola_kari["serviceAreas"] == [1, 3]
    assert ola_kari["validTo"] is None
    assert ola_kari["validFrom"].startswith("2024-")
    assert ola_kari["kind"] == "ORDINARY"
    assert datetime.fromisoformat(ola_kari["validFrom"]).tzinfo is not None
    assert datetime.fromisoformat(by_pair[(OLA, ERIK)]["validTo"]).year == 2025
    assert by_pair[(INGRID, ERIK)]["serviceAreas"] == [1]
    assert by_pair[(INGRID, ERIK)]["validTo"] is None
    assert by_pair[(NORA, KARI)]["serviceAreas"] == [1, 3]


async def test_proxies_by_grantor(aiohttp_client: Any) -> None:
    client = await aiohttp_client(consent.create_app())
    body = await (await client.get("/proxies", params={"grantor": OLA})).json()
    assert {p["grantee"] for p in body["proxies"]} == {KARI, ERIK}
    body = await (await client.get("/proxies", params={"grantor": EMMA})).json()
    assert body == {"proxies": []}


async def test_bad_queries_are_400(aiohttp_client: Any) -> None:
    client = await aiohttp_client(consent.create_app())
    for path in (
        "/consents",
        "/consents?ids=",
        "/proxies",
        f"/proxies?grantee={KARI}&grantor={OLA}",
        "/proxies?grantor=",
    ):
        resp = await client.get(path)
        assert resp.status == 400, path
        assert (await resp.json())["error"]
