"""`Person.appointments(from:, to:)` over HTTP: the window is the gateway's to keep, whatever the FHIR
server's date search lets through. The sandbox compares dates at whole seconds, as Medplum does, so
it answers `ge08:15:00.5` with an appointment at 08:15:00 (tests/sandbox/test_fhir.py)."""

from __future__ import annotations

import pytest

from sandbox.seed import (
    AP_KARI_GP_PAST,
    AP_KARI_GP_UPCOMING,
    AP_KARI_HOME,
    AP_KARI_HOSPITAL_PAST,
    AP_KARI_HOSPITAL_UPCOMING,
    KARI,
)
from tests.support import GatewayClient

APPOINTMENTS = """query($id: ID!, $from: DateTime, $to: DateTime) { person(id: $id) {
  appointments(first: 100, from: $from, to: $to) { nodes { id } totalCount hiddenCount } } }"""

# AP_KARI_GP_PAST starts at 08:15:00 this day, between two of Kari's appointments on either side.
AT = "2026-03-16T08:15:00+01:00"
HALF_A_SECOND_LATER = "2026-03-16T08:15:00.500000+01:00"
HALF_A_SECOND_EARLIER = "2026-03-16T08:14:59.500000+01:00"
BEFORE = [AP_KARI_HOSPITAL_PAST, AP_KARI_HOME]
AFTER = [AP_KARI_GP_UPCOMING, AP_KARI_HOSPITAL_UPCOMING]


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        pytest.param({"from": AT}, [AP_KARI_GP_PAST, *AFTER], id="from-its-start"),
        pytest.param({"from": HALF_A_SECOND_LATER}, AFTER, id="from-half-a-second-later"),
        pytest.param({"to": AT}, [*BEFORE, AP_KARI_GP_PAST], id="to-its-start"),
        pytest.param({"to": HALF_A_SECOND_EARLIER}, BEFORE, id="to-half-a-second-earlier"),
        pytest.param({"from": AT, "to": AT}, [AP_KARI_GP_PAST], id="from-and-to-its-start"),
        pytest.param({"from": HALF_A_SECOND_EARLIER, "to": HALF_A_SECOND_LATER}, [AP_KARI_GP_PAST], id="around-it"),
    ],
)
async def test_the_window_holds_to_the_fraction_of_a_second(
    gateway: GatewayClient, window: dict[str, str], expected: list[str]
) -> None:
    result = await gateway.execute(APPOINTMENTS, {"id": KARI, **window}, as_pid=KARI)
    assert "errors" not in result, result
    found = result["data"]["person"]["appointments"]
    assert [node["id"] for node in found["nodes"]] == expected
    # What lies outside the window is not withheld from the viewer: it is not counted as hidden.
    assert (found["totalCount"], found["hiddenCount"]) == (len(expected), 0)
