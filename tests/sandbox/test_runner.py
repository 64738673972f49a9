"""start_sandbox, the Sandbox object and the seed seen through all services together."""

from __future__ import annotations

from collections import Counter

import aiohttp
import pytest

from gateway.sources import SOURCES
from sandbox import Sandbox, registry, seed, start_sandbox


async def test_urls_and_context_manager(http: aiohttp.ClientSession) -> None:
    async with Sandbox() as sandbox:
        assert list(sandbox.urls) == [source.name for source in SOURCES]
        for source in SOURCES:
            assert sandbox.urls[source.name].endswith("/fhir") == source.fhir, source.name
        assert len({url.removesuffix("/fhir") for url in sandbox.urls.values()}) == len(SOURCES)
        person = f"{sandbox.urls['registry']}{registry.FREG_API}/personer/{seed.KARI}"
        async with http.get(person, headers=sandbox.registry_authorization()) as resp:
            assert resp.status == 200
        urls = dict(sandbox.urls)
    async with aiohttp.ClientSession() as fresh:
        try:
            async with fresh.get(f"{urls['registry']}{registry.FREG_API}/personer/{seed.KARI}"):
                raise AssertionError("the sandbox should be closed")
        except aiohttp.ClientConnectionError:
            pass


async def test_the_peer_registry_only_where_asked_for(http: aiohttp.ClientSession) -> None:
    for peer_registry, status in ((False, 404), (True, 200)):
        async with await start_sandbox(peer_registry=peer_registry) as sandbox:
            async with http.get(f"{sandbox.urls['registry']}/persons?ids={seed.KARI}") as resp:
                assert resp.status == status


async def test_start_sandbox_is_usable_with_async_with() -> None:
    async with await start_sandbox() as sandbox:
        assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)


async def test_a_given_app_replaces_the_seeded_one_and_an_unknown_name_is_refused() -> None:
    given = SOURCES[0].sandbox_app()
    async with Sandbox(apps={SOURCES[0].name: given}) as sandbox:
        assert sandbox.apps[SOURCES[0].name] is given
    with pytest.raises(ValueError, match="no-such-source"):
        Sandbox(apps={"no-such-source": given})


async def test_thread_counterparts_are_care_teams_of_the_owner(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    owners = ",".join(seed.PERSONAS)
    async with http.get(f"{sandbox.urls['inbox']}/threads", params={"owner": owners}) as resp:
        threads = (await resp.json())["threads"]
    subjects = ",".join(f"Patient/{p}" for p in seed.PERSONAS)
    async with http.get(f"{sandbox.urls['contacts']}/CareTeam", params={"subject": subjects, "_count": "200"}) as resp:
        bundle = await resp.json()
    assert "next" not in {link["relation"] for link in bundle["link"]}
    owner_of = {e["resource"]["id"]: e["resource"]["subject"]["reference"] for e in bundle["entry"]}
    for thread in threads:
        assert owner_of[thread["counterpartContactId"]] == f"Patient/{thread['owner']}", thread["id"]
    assert Counter(t["owner"] for t in threads)[seed.KARI] >= 60


async def test_appointment_practitioners_exist_in_contacts(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    subjects = ",".join(f"Patient/{p}" for p in seed.PERSONAS)
    async with http.get(
        f"{sandbox.urls['appointments']}/Appointment", params={"patient": subjects, "_count": "200"}
    ) as resp:
        appointments = [e["resource"] for e in (await resp.json())["entry"]]
    practitioners = {
        p["actor"]["reference"].removeprefix("Practitioner/")
        for a in appointments
        for p in a["participant"]
        if p["actor"]["reference"].startswith("Practitioner/")
    }
    async with http.get(f"{sandbox.urls['contacts']}/Practitioner", params={"_id": ",".join(practitioners)}) as resp:
        found = {e["resource"]["id"] for e in (await resp.json())["entry"]}
    assert found == practitioners
