"""The consent and fullmakt source: consent levels, and fullmakter as Helsenorge's Fullmaktinformasjon
API lists them, behind HelseID tokens bound with DPoP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.sources.helseid import DpopKey
from sandbox import consent, helseid, seed
from sandbox.seed import EMMA, ERIK, INGRID, JONAS, KARI, LARS, MAJA, NORA, OLA, SOFIE, THEA, TONE


class Caller:
    """A caller of the app under test holding a DPoP key: each call with a token and a proof of its own."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.key = DpopKey()

    def headers(self, method: str, path: str) -> dict[str, str]:
        app, base = self.client.server.app, str(self.client.make_url("/"))
        return helseid.caller_authorization(app, base, self.key, method, str(self.client.make_url(path)))

    async def get(self, path: str, **params: str) -> Any:
        return await self.client.get(path, params=params, headers=self.headers("GET", path))

    async def post(self, path: str, body: Any) -> Any:
        return await self.client.post(path, json=body, headers=self.headers("POST", path))


async def _caller(aiohttp_client: Any) -> Caller:
    return Caller(await aiohttp_client(consent.create_app()))


async def test_consents(aiohttp_client: Any) -> None:
    caller = await _caller(aiohttp_client)
    resp = await caller.get("/consents", ids=",".join([*seed.PERSONAS, TONE]))
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


async def _givers(caller: Caller, holder: str) -> dict[str, Any]:
    resp = await caller.post(consent.GIVERS_PATH, {"fullmaktshaverFnr": holder, "sektor": "HO-DIT"})
    assert resp.status == 200
    body: dict[str, Any] = await resp.json()
    assert (body["fullmaktshaverFnr"], body["sektor"]) == (holder, "HO-DIT")
    assert body["fullmaktsgiverFunnet"] is bool(body["fullmaktsgivere"])
    return {entry["fnr"]: entry for entry in body["fullmaktsgivere"]}


async def test_fullmaktsgivere_include_expired_ones(aiohttp_client: Any) -> None:
    caller = await _caller(aiohttp_client)
    to_kari, to_erik = await _givers(caller, KARI), await _givers(caller, ERIK)
    # Every fullmakt, Thea's given at 15 too: judging them is the gateway's job.
    assert set(to_kari) == {OLA, NORA}
    assert set(to_erik) == {OLA, INGRID, THEA}
    ola_kari = to_kari[OLA]
    assert (ola_kari["fornavn"], ola_kari["etternavn"]) == ("Ola", "Nordmann")
    assert ola_kari["fullmaktReferanseId"] == seed.PROXY_OLA_KARI
    assert ola_kari["tjenesteomraader"] == [1, 3]
    assert ola_kari["gyldigTilOgMed"] is None
    assert ola_kari["gyldigFraOgMed"].startswith("2024-")
    assert ola_kari["fullmaktstype"] == "ORDINAER"
    assert datetime.fromisoformat(ola_kari["gyldigFraOgMed"]).tzinfo is not None
    assert datetime.fromisoformat(to_erik[OLA]["gyldigTilOgMed"]).year == 2025
    assert to_erik[INGRID]["tjenesteomraader"] == [1]
    assert (await _givers(caller, OLA))[JONAS]["fullmaktstype"] == "TILDELT"
    assert await _givers(caller, EMMA) == {}


async def test_fullmaktshavere_name_holders_by_masked_numbers(aiohttp_client: Any) -> None:
    caller = await _caller(aiohttp_client)
    resp = await caller.post(consent.HOLDERS_PATH, {"fullmaktsgiverFnr": OLA, "sektor": "HO-DIT"})
    body = await resp.json()
    assert body["fullmaktshaverFunnet"] is True
    holders = {entry["fullmaktReferanseId"]: entry for entry in body["fullmaktshavere"]}
    assert set(holders) == {seed.PROXY_OLA_KARI, seed.PROXY_OLA_ERIK}
    assert holders[seed.PROXY_OLA_KARI]["maskertFnr"] == KARI[:6] + "xxxxx"
    assert "fnr" not in holders[seed.PROXY_OLA_KARI] and KARI not in str(body)


async def test_bad_requests_are_400(aiohttp_client: Any) -> None:
    caller = await _caller(aiohttp_client)
    for path in ("/consents", "/consents?ids="):
        resp = await caller.client.get(path, headers=caller.headers("GET", path))
        assert resp.status == 400, path
        assert (await resp.json())["error"]
    for body in (
        {"fullmaktshaverFnr": KARI},
        {"fullmaktshaverFnr": KARI, "sektor": "NAV"},
        {"fullmaktshaverFnr": "1234", "sektor": "HO-DIT"},
        {"fullmaktshaverFnr": [KARI], "sektor": "HO-DIT"},
        {"fullmaktsgiverFnr": KARI, "sektor": "HO-DIT"},
        [KARI],
    ):
        resp = await caller.post(consent.GIVERS_PATH, body)
        assert resp.status == 400, body
        assert KARI not in (await resp.json())["error"]  # a refusal never quotes the number
