"""The check that holds every request a sandbox app receives to its contract (request_validation.py,
run on every e2e test) names what a broken request breaks, so that it cannot pass by checking nothing."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.upstreams import source_named
from sandbox import inbox, recording, registry
from sandbox.seed import KARI
from tests.contracts.request_validation import CHECKED_SOURCES, broken

APPS = {"registry": registry.create_app, "inbox": inbox.create_app}
PARTS = [("part", "person-basis"), ("part", "relasjon-utvidet")]
# The check reads the credentials' scheme; whether the token is good is the app's to say.
TOKEN = {"Authorization": "Bearer any-token"}
KEY = {"Idempotency-Key": f"{KARI}:key-1"}
LOOKUP = {"foedselsEllerDNummer": [KARI]}
THREAD = "/threads/th-kari-001"


async def _received(aiohttp_client: Any, source: str, method: str, path: str, **request: Any) -> list[str]:
    """What the check finds broken in this one request, sent to the sandbox app of `source`."""
    client = await aiohttp_client(APPS[source]())
    with recording.recording() as received:
        async with client.request(method, path, **request):
            pass
    assert len(received) == 1
    return broken(received)


@pytest.mark.parametrize(
    ("source", "method", "path", "request_"),
    [
        ("registry", "POST", registry.BULK_LOOKUP, {"params": PARTS, "headers": TOKEN, "json": LOOKUP}),
        ("inbox", "GET", "/threads", {"params": {"owner": KARI}}),
        ("inbox", "POST", f"{THREAD}/messages", {"headers": KEY, "json": {"body": "Hei", "sentOnBehalfOf": None}}),
        ("inbox", "PATCH", THREAD, {"json": {"archived": True}}),
        ("inbox", "PATCH", "/messages/msg-kari-001-1", {"json": {"readAt": "2026-11-26T12:00:00+01:00"}}),
        # Beside the services, not them: Maskinporten's token endpoint, the sandbox's controls; and
        # the gateway's readiness probe, which takes any answer.
        ("registry", "POST", "/maskinporten/token", {"data": "grant_type=nothing"}),
        ("inbox", "POST", "/_sandbox/faults", {"json": {"latency_ms": "soon"}}),
        ("inbox", "GET", "/", {}),
    ],
)
async def test_a_request_that_keeps_its_contract_passes(
    aiohttp_client: Any, source: str, method: str, path: str, request_: dict[str, Any]
) -> None:
    assert await _received(aiohttp_client, source, method, path, **request_) == []


BULK = ("registry", "POST", registry.BULK_LOOKUP)


@pytest.mark.parametrize(
    ("source", "method", "path", "request_", "named"),
    [
        (
            *BULK,
            {"params": {"part": "foo"}, "headers": TOKEN, "json": LOOKUP},
            "Invalid query parameter: part ($[0]: 'foo' is not one of ['person-basis', 'relasjon-utvidet'])",
        ),
        (*BULK, {"params": PARTS, "headers": TOKEN, "json": {"ids": [KARI]}}, "'foedselsEllerDNummer' is a required"),
        (*BULK, {"params": PARTS, "json": LOOKUP}, "Security not found"),
        ("inbox", "POST", f"{THREAD}/messages", {"json": {"body": "Hei"}}, "Missing required header parameter"),
        ("inbox", "GET", "/threads", {"params": {"owner": KARI, "page": "2"}}, "contract does not name: page"),
        ("inbox", "PATCH", THREAD, {"json": {"archived": "yes"}}, "Failed to cast value to boolean type: yes"),
        # openapi-core alone would cast this string to the boolean the contract asks for, and pass it.
        ("inbox", "PATCH", THREAD, {"json": {"archived": "true"}}, "$.archived: 'true' is not of type 'boolean'"),
        ("inbox", "GET", THREAD, {}, "Operation get not found"),
    ],
)
async def test_a_request_that_breaks_its_contract_is_named_with_what_it_breaks(
    aiohttp_client: Any, source: str, method: str, path: str, request_: dict[str, Any], named: str
) -> None:
    (failure,) = await _received(aiohttp_client, source, method, path, **request_)
    assert failure.startswith(f"{method} {path} to the {source}: "), failure
    assert named in failure, failure


@pytest.mark.parametrize("source", CHECKED_SOURCES)
def test_the_sandbox_app_of_each_checked_source_records_what_it_receives(source: str) -> None:
    # Otherwise the e2e suite would check none of its requests, and pass.
    app = source_named(source).sandbox_app()
    assert app.get(recording.SERVICE) == source, f"{source}'s create_app must call install_recording(app, {source!r})"
