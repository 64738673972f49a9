"""Folkeregisteret's contract end to end: what its person documents say, as the rules read them (issue 21).

Each test changes a persona in the sandbox's registry (sandbox/registry.py shapes each person as Freg
does) and asks the gateway over HTTP, as a client would; each test has a sandbox of its own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox import Sandbox, registry, seed
from sandbox.seed import EMMA, KARI
from tests.support import GatewayClient

PERSON = "query($id: ID!) { person(id: $id) { id name { full } address { street } } }"
# Valid check digits, in no registry: born 1 January 1985.
UNKNOWN = "01018510193"


def _errors(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in result.get("errors", [])]


def _replace(sandbox: Sandbox, person_id: str, **changes: Any) -> None:
    persons = sandbox.apps["registry"][registry.PERSONS]
    persons[person_id] = dataclasses.replace(persons[person_id], **changes)


async def test_a_child_registered_dead_is_no_one_a_parent_may_act_for(gateway: GatewayClient, sandbox: Sandbox) -> None:
    result = await gateway.execute(PERSON, {"id": EMMA}, as_pid=KARI)
    assert result["data"]["person"]["id"] == EMMA  # alive: her mother may
    _replace(sandbox, EMMA, deceased=True)  # Freg: status doed, and a death registered
    result = await gateway.execute(PERSON, {"id": EMMA}, as_pid=KARI)
    assert result["data"]["person"] is None and _errors(result) == [("FORBIDDEN", "NO_RELATION")]


async def test_a_parent_who_is_not_resident_has_no_access(gateway: GatewayClient, sandbox: Sandbox) -> None:
    _replace(sandbox, KARI, status="utflyttet")
    result = await gateway.execute(PERSON, {"id": EMMA}, as_pid=KARI)
    assert result["data"]["person"] is None and _errors(result) == [("FORBIDDEN", "NO_RELATION")]


async def test_an_id_the_bulk_answer_does_not_know_answers_as_a_stranger_would(gateway: GatewayClient) -> None:
    unknown = await gateway.execute(PERSON, {"id": UNKNOWN}, as_pid=KARI)
    stranger = await gateway.execute(PERSON, {"id": seed.INGRID}, as_pid=KARI)
    assert unknown["data"]["person"] is None and stranger["data"]["person"] is None
    assert _errors(unknown) == _errors(stranger)  # whether Freg knows the id is not told


async def test_a_strictly_confidential_person_s_own_address_is_absent_from_freg_and_the_answer(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    # The seed still holds her street; Freg's document of a strengtFortrolig person holds none.
    _replace(sandbox, KARI, address_protection="STRENGT_FORTROLIG")
    result = await gateway.execute(PERSON, {"id": KARI}, as_pid=KARI)
    assert result["data"]["person"]["name"]["full"] == "Kari Nordmann"
    assert result["data"]["person"]["address"] is None


async def test_freg_s_429_leaves_the_registry_alone_for_its_retry_after(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    registry_control = sandbox.control("registry")
    registry_control.throttled, registry_control.retry_after = True, "120"
    for _ in range(2):
        result = await gateway.execute(PERSON, {"id": KARI}, as_pid=KARI)
        assert result["data"]["person"] is None
        assert {(e["extensions"]["code"], e["extensions"].get("source")) for e in result["errors"]} == {
            ("UPSTREAM_UNAVAILABLE", "registry")
        }
    assert registry_control.counts[registry.BULK_ROUTE] == 1  # the second request did not call it
