"""The inbox page query over HTTP: data, batching, and partial results when a source fails."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from sandbox import Sandbox, consent, registry
from sandbox.inbox import serve_inbox
from sandbox.seed import KARI, inbox_with_kari_threads
from tests.support import GatewayClient, gateway_for

INBOX_PAGE = """
query InboxPage($first: Int!) {
  person(id: "12848510058") {
    name { full }
    threads(first: $first) {
      totalCount
      nodes {
        id subject category unreadCount
        counterpart { id name role serviceKind organization }
        messages(first: 1) { nodes { id sentAt direction body sender { name } } }
      }
    }
    appointments(first: 50) {
      nodes { id start title serviceKind organization location { name atHome } practitioner { name } }
    }
    healthContacts(includeFormer: true) { id name role serviceKind organization current phone address { city } }
  }
}
"""


async def test_kari_sees_her_threads_messages_contacts_and_appointments(gateway: GatewayClient) -> None:
    result = await gateway.execute(INBOX_PAGE, {"first": 20}, as_pid=KARI)
    assert "errors" not in result, result["errors"]
    person = result["data"]["person"]
    assert person["name"]["full"] == "Kari Nordmann"
    threads = person["threads"]
    assert threads["totalCount"] >= 60 and len(threads["nodes"]) == 20
    assert all(t["counterpart"] is not None for t in threads["nodes"])
    assert all(len(t["messages"]["nodes"]) == 1 for t in threads["nodes"])
    roles = {c["role"] for c in person["healthContacts"]}
    assert {"GP", "CARE_COORDINATOR"} <= roles
    assert [c["current"] for c in person["healthContacts"]].count(False) >= 1  # the former GP
    kinds = {a["serviceKind"] for a in person["appointments"]["nodes"]}
    assert kinds == {"HOSPITAL", "GP", "MUNICIPAL"}
    assert any(a["location"]["atHome"] for a in person["appointments"]["nodes"])


async def _calls_for(
    gateway: GatewayClient, sandbox: Sandbox, first: int, *, threads: int | None = None
) -> dict[str, int]:
    token = await gateway.token(KARI)
    sandbox.reset()
    if threads is not None:
        serve_inbox(sandbox.apps["inbox"], *inbox_with_kari_threads(threads))
    result = await gateway.execute(INBOX_PAGE, {"first": first}, token=token)
    assert "errors" not in result
    page = result["data"]["person"]["threads"]
    assert len(page["nodes"]) == first
    assert threads is None or page["totalCount"] == threads
    calls = sandbox.total_requests()
    sandbox.reset()
    return calls


async def test_upstream_calls_do_not_grow_with_the_number_of_threads(gateway: GatewayClient, sandbox: Sandbox) -> None:
    cold = await _calls_for(gateway, sandbox, 5)
    at_20 = await _calls_for(gateway, sandbox, 20)
    at_60 = await _calls_for(gateway, sandbox, 60)
    # 500 threads to judge, the largest page (100) to list.
    at_500 = await _calls_for(gateway, sandbox, 100, threads=500)
    # One call per source per level: persons, consents; threads, messages; care teams (with their
    # practitioners and organizations, `_include`d); appointments, locations.
    assert cold == {"registry": 1, "consent": 1, "inbox": 2, "contacts": 1, "appointments": 2}
    # Then the locations are kept (reference data, tests/e2e/test_reference_cache.py): one call fewer.
    assert at_20 == at_60 == {**cold, "appointments": 1}
    # Every thread's messages are judged (a thread a parent wrote for Kari as a child would be withheld,
    # and counted): the store takes at most 100 thread ids a call, so 500 threads take 5, made at once.
    assert at_500 == {**cold, "appointments": 1, "inbox": 1 + 5}


def _error_sources(result: dict) -> set[str]:
    return {
        e["extensions"]["source"] for e in result.get("errors", []) if e["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    }


FAULTS = ["down", "slow", "fail_status", "malformed"]  # slow: past the gateway's upstream timeout
SOURCES = ["registry", "consent", "inbox", "contacts", "appointments"]


@pytest.fixture
async def impatient(sandbox: Sandbox) -> AsyncIterator[GatewayClient]:
    """A gateway that gives up on an upstream after 1.5 s (a slow source answers after 3 s: timers of
    one event loop, so in that order however loaded the machine)."""
    async with gateway_for(sandbox, upstream_timeout_s=1.5) as client:
        yield client


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("source", SOURCES)
async def test_the_fault_matrix(impatient: GatewayClient, sandbox: Sandbox, source: str, fault: str) -> None:
    """Each source down, slow, failing or malformed: only its own fields are null, with its name;
    without the registry or the consent registry the rules cannot decide, so the person is null."""
    token = await impatient.token(KARI)
    control = sandbox.control(source)
    if fault == "slow":
        control.latency_ms = 3000
    else:
        setattr(control, fault, 503 if fault == "fail_status" else True)
    result = await impatient.execute(INBOX_PAGE, {"first": 5}, token=token)
    assert _error_sources(result) == {source}
    assert all(e["extensions"]["code"] == "UPSTREAM_UNAVAILABLE" for e in result["errors"])
    person = result["data"]["person"]
    if source in ("registry", "consent"):
        assert person is None  # fail closed
        return
    assert person["name"]["full"] == "Kari Nordmann"
    if source == "inbox":
        assert person["threads"] is None
        assert person["healthContacts"] and person["appointments"]["nodes"]
    if source == "contacts":
        assert person["healthContacts"] is None
        assert person["threads"]["nodes"] and all(t["counterpart"] is None for t in person["threads"]["nodes"])
        assert person["appointments"]["nodes"]
    if source == "appointments":
        assert person["appointments"] is None
        assert person["threads"]["nodes"] and person["healthContacts"]
    text = json.dumps(result["errors"])
    assert "http://" not in text and "127.0.0.1" not in text and "Traceback" not in text


@pytest.mark.parametrize("source", ["registry", "consent"])
async def test_without_the_registry_or_consent_the_viewer_still_answers(
    gateway: GatewayClient, sandbox: Sandbox, source: str
) -> None:
    token = await gateway.token(KARI)
    sandbox.control(source).down = True
    result = await gateway.execute("{ viewer { id person { id } } }", token=token)
    # Without the facts the rules need, nothing is shown: the person is null, the viewer still answers.
    assert result["data"]["viewer"] == {"id": KARI, "person": None}
    assert _error_sources(result) == {source}


async def test_many_aliases_of_one_person_cost_one_call_per_source(gateway: GatewayClient, sandbox: Sandbox) -> None:
    token = await gateway.token(KARI)
    sandbox.reset()
    query = " ".join(f'p{i}: person(id: "15861950082") {{ name {{ full }} }}' for i in range(10))
    result = await gateway.execute(f"{{ {query} }}", token=token)
    assert all(result["data"][f"p{i}"]["name"]["full"] == "Emma Nordmann" for i in range(10))
    # The representation's facts come once: one registry call (viewer and subject together) and at
    # most one for other parents, one consent call, one fullmakt call.
    assert sandbox.control("consent").counts == {consent.CONSENTS_ROUTE: 1, consent.GIVERS_ROUTE: 1}
    assert sandbox.control("registry").counts[registry.BULK_ROUTE] == 1
