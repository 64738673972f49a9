"""Fault injection and request counting, on every service."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from sandbox import CONTROL, Sandbox, registry, seed
from sandbox import control as control_module
from sandbox.inbox import STORE

# One cheap, valid read per service.
PROBES = {
    "registry": f"{registry.FREG_API}/personer/{seed.KARI}",
    "consent": f"/consents?ids={seed.KARI}",
    "inbox": f"/threads?owner={seed.KARI}",
    "contacts": f"/CareTeam?subject=Patient/{seed.KARI}",
    "appointments": f"/Appointment?patient=Patient/{seed.KARI}",
}
# Only a guard against a test hanging forever, never a measure of speed.
WAIT_S = 60.0


def _origin(sandbox: Sandbox, name: str) -> str:
    return sandbox.urls[name].removesuffix("/fhir")


def _probe(http: aiohttp.ClientSession, sandbox: Sandbox, name: str) -> Any:
    """A GET of the service's probe, with the token the registry and the fullmakt source ask of every
    caller (the latter's proof made for this call alone)."""
    url = sandbox.urls[name] + PROBES[name]
    if name == "registry":
        return http.get(url, headers=sandbox.registry_authorization())
    if name == "consent":
        return http.get(url, headers=sandbox.fullmakt_authorization("GET", url))
    return http.get(url)


async def _status(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> int:
    async with http.request(method, url, **kwargs) as resp:
        await resp.read()
        return resp.status


async def test_counts_per_route_and_reset(aiohttp_client: Any) -> None:
    app = registry.create_app()
    client = await aiohttp_client(app)
    control = app[CONTROL]
    await client.get(f"{registry.FREG_API}/personer/{seed.KARI}")
    await client.get(f"{registry.FREG_API}/personer/01018510193")  # a 404 is still a served request
    await client.get("/nope")
    assert control.counts == {registry.PERSON_ROUTE: 2, "UNMATCHED": 1}
    stats = await (await client.get("/_sandbox/stats")).json()
    assert stats == {"total": 3, "byRoute": {registry.PERSON_ROUTE: 2, "UNMATCHED": 1}, "inFlight": 0}
    await client.post("/_sandbox/reset")
    assert control.total == 0
    assert await (await client.get("/_sandbox/stats")).json() == {"total": 0, "byRoute": {}, "inFlight": 0}


async def test_every_service_counts_by_route_template(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    for name in PROBES:
        async with _probe(http, sandbox, name) as resp:
            assert resp.status == 200, name
    async with http.get(f"{sandbox.urls['contacts']}/CareTeam/{seed.CT_KARI_GP}") as resp:
        assert resp.status == 200
    assert sandbox.total_requests() == {**dict.fromkeys(PROBES, 1), "contacts": 2}
    assert sandbox.control("contacts").counts == {"GET /fhir/CareTeam": 1, "GET /fhir/CareTeam/{id}": 1}
    sandbox.reset()
    assert sum(sandbox.total_requests().values()) == 0


async def test_fail_status(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    for name in PROBES:
        sandbox.control(name).fail_status = 503
        async with _probe(http, sandbox, name) as resp:
            assert resp.status == 503
            body = await resp.json(content_type=None)
            assert ("melding" if name == "registry" else "error") in body  # Freg words its errors its own way
        # Control endpoints stay reachable while faulted.
        async with http.get(f"{_origin(sandbox, name)}/_sandbox/stats") as resp:
            assert (await resp.json())["total"] == 1


async def test_throttled_answers_429_with_the_retry_after_it_is_given(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    for name in PROBES:
        control = sandbox.control(name)
        control.throttled, control.retry_after = True, "30"
        async with _probe(http, sandbox, name) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "30"
        control.retry_after = None
        async with _probe(http, sandbox, name) as resp:
            assert resp.status == 429 and "Retry-After" not in resp.headers
            # Each in its contract's words: Folkeregisteret's {"kode", "melding"}, the others' {"error"}.
            expected = {"kode", "melding"} if name == "registry" else {"error"}
            assert set(await resp.json()) == expected, name


async def test_malformed(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    for name in PROBES:
        sandbox.control(name).malformed = True
        async with _probe(http, sandbox, name) as resp:
            assert resp.status == 200
            with pytest.raises(json.JSONDecodeError):
                json.loads(await resp.text())


async def test_down_gives_a_connection_error(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        for name in PROBES:
            sandbox.control(name).down = True
            with pytest.raises(aiohttp.ClientConnectionError):
                async with _probe(http, sandbox, name) as resp:
                    await resp.read()
            # aiohttp's client retries an idempotent request once after a disconnect.
            assert sandbox.control(name).total in (1, 2)
            sandbox.control(name).down = False
            async with _probe(http, sandbox, name) as resp:
                assert resp.status == 200


class HeldDelays:
    """Stands in for `asyncio` inside sandbox.control: a delay the middleware asks for lasts until the test
    releases it, so what happens during the delay follows from events, not from the machine's speed."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.holding = asyncio.Event()
        self.released = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.holding.set()
        await self.released.wait()

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldDelays]:
    delays = HeldDelays()
    monkeypatch.setattr(control_module, "asyncio", delays)
    try:
        yield delays
    finally:
        # A request still held would keep the sandbox from shutting down.
        delays.released.set()


async def test_latency(sandbox: Sandbox, http: aiohttp.ClientSession, held: HeldDelays) -> None:
    control = sandbox.control("registry")
    control.latency_ms = 150
    request = asyncio.create_task(
        _status(http, "GET", sandbox.urls["registry"] + PROBES["registry"], headers=sandbox.registry_authorization())
    )
    await asyncio.wait_for(held.holding.wait(), WAIT_S)
    # Counted, then held for the configured latency before the handler answers.
    assert held.asked == [0.15]
    assert control.counts == {registry.PERSON_ROUTE: 1}
    assert not request.done()
    held.released.set()
    assert await asyncio.wait_for(request, WAIT_S) == 200


async def test_faults_over_http(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    origin = _origin(sandbox, "appointments")
    async with http.post(f"{origin}/_sandbox/faults", json={"fail_status": 502, "latency_ms": 5}) as resp:
        assert resp.status == 200
        assert await resp.json() == {
            "latency_ms": 5.0,
            "slow_response_ms": 0.0,
            "fail_status": 502,
            "throttled": False,
            "retry_after": None,
            "malformed": False,
            "down": False,
            "max_page_size": None,
            "omit_next_links": False,
        }
    control = sandbox.control("appointments")
    assert control.fail_status == 502 and control.latency_ms == 5
    async with http.get(sandbox.urls["appointments"] + PROBES["appointments"]) as resp:
        assert resp.status == 502
    for bad in (
        {"fail_status": 404},
        {"latency_ms": -1},
        {"slow_response_ms": -1},
        {"down": "yes"},
        {"throttled": 1},
        {"retry_after": 30},
        {"max_page_size": 0},
        {"max_page_size": True},
        {"omit_next_links": 1},
        {"nope": 1},
        [1],
    ):
        async with http.post(f"{origin}/_sandbox/faults", json=bad) as resp:
            assert resp.status == 400, bad
    assert control.fail_status == 502  # a rejected body changes nothing
    async with http.post(f"{origin}/_sandbox/reset") as resp:
        assert resp.status == 200
    assert control.fail_status is None and control.latency_ms == 0 and control.total == 0


async def test_a_slow_response_is_handled_before_it_is_delayed(
    sandbox: Sandbox, http: aiohttp.ClientSession, held: HeldDelays
) -> None:
    """A write is stored even when the client gives up waiting for the answer."""
    sandbox.control("inbox").slow_response_ms = 500
    body = {
        "owner": "12848510058",
        "subject": "s",
        "category": "DIALOG_FASTLEGE",
        "counterpartContactId": "ct-kari-gp",
        "body": "slow",
        "sentOnBehalfOf": None,
    }
    posting = asyncio.create_task(_status(http, "POST", sandbox.urls["inbox"] + "/threads", json=body))
    await asyncio.wait_for(held.holding.wait(), WAIT_S)
    assert held.asked == [0.5]
    store = sandbox.apps["inbox"][STORE]
    # The answer is still held, yet the message is stored; then the client stops waiting for it.
    assert [m.body for m in store.messages.values() if m.body == "slow"] == ["slow"]
    assert not posting.done()
    posting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await posting
    held.released.set()
