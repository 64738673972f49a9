"""Apollo Client 3 and urql, unchanged, against the gateway's answers in parts: what each client shows
before the deferred or streamed part and what it ends with once it has merged the parts itself,
compared with what the same query without @defer or @stream answers as one plain JSON answer
(tests/conformance/incremental_clients.mjs). Apollo Client is seen at its link (each patch as read off
the wire) and as a client (watchQuery, query: its QueryManager and InMemoryCache merge); urql with its
own Accept (which gets Server-Sent Events) and with Accept: multipart/mixed.

Needs Node.js and `npm ci`: skipped on a laptop without them, never in CI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient, run_node

CLIENTS = Path(__file__).with_name("incremental_clients.mjs")
URQL_DEFERRED = ("urqlEventStream", "urqlMultipart")
URQL_STREAMED = ("urqlStreamEventStream", "urqlStreamMultipart")
DEFERRED = ["appointments", "healthContacts"]
# The code a client sees when one source failed (SourceUnavailable in gateway/core/errors.py): the wire
# string is the contract, so it is written out here.
UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
APPOINTMENTS = ["viewer", "person", "appointments"]


async def _clients(gateway: GatewayClient, token: str, which: str) -> dict[str, Any]:
    got: dict[str, Any] = await run_node(CLIENTS, f"{gateway.url}/graphql", token, which)
    return got


async def _plain(gateway: GatewayClient, token: str, document: str) -> dict[str, Any]:
    """The same query without @defer and @stream, as a JSON-only client gets it: one JSON answer."""
    query = re.sub(r" @(defer|stream)\([^)]*\)", "", document)
    assert "@" not in query, query
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    async with gateway.http.post(f"{gateway.url}/graphql", json={"query": query}, headers=headers) as resp:
        text = await resp.text()
        assert (resp.status, resp.content_type) == (200, "application/json"), (resp.status, resp.content_type, text)
    answer: dict[str, Any] = json.loads(text)
    return answer


async def _set_faults(gateway: GatewayClient, sandbox: Sandbox, source: str, faults: dict[str, Any]) -> None:
    """The sandbox's control API, as any client of it uses it: POST /_sandbox/faults on the source's app."""
    origin = sandbox.urls[source].removesuffix("/fhir")
    async with gateway.http.post(f"{origin}/_sandbox/faults", json=faults) as resp:
        assert resp.status == 200, await resp.text()


def _without_typename(value: Any) -> Any:
    """Apollo Client's cache adds __typename to every selection it sends; the plain answer has none."""
    if isinstance(value, dict):
        return {k: _without_typename(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [_without_typename(v) for v in value]
    return value


def _person_fields(data: dict[str, Any] | None) -> list[str]:
    return sorted(_without_typename(((data or {}).get("viewer") or {}).get("person") or {}))


def _errors(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """An answer's errors as the clients report them (the locations differ: the documents differ)."""
    return [
        {"message": e["message"], "path": e.get("path"), "code": e.get("extensions", {}).get("code")}
        for e in answer.get("errors", [])
    ]


def _check_deferred_page(got: dict[str, Any], plain: dict[str, Any]) -> None:
    """Each reader saw the page without the deferred fragment first, with no error and more to come,
    and ended with the plain answer: its data, and its errors at their paths."""
    expected_errors = _errors(plain)
    head = ["name", "threads"]

    # Apollo Client's HttpLink: the patches as they came, in the deferSpec=20220824 format it asked for.
    patches = got["apolloLink"]["emitted"]
    first, rest = patches[0], patches[1:]
    assert (first["hasNext"], _person_fields(first["data"]), first.get("errors")) == (True, head, None), patches
    assert rest and rest[-1]["hasNext"] is False and all("data" not in p for p in rest), patches
    entries = [entry for patch in rest for entry in patch.get("incremental", [])]
    assert [(e["path"], e["label"]) for e in entries] == [(["viewer", "person"], "slow")], patches
    assert sorted(entries[0]["data"]) == DEFERRED, patches
    assert _errors(entries[0]) == expected_errors, patches

    # Apollo Client itself: watchQuery's results, then query's on a client whose cache was empty.
    watched = got["apolloClient"]["watched"]
    assert all("thrown" not in result for result in watched), watched
    assert _person_fields(watched[0]["data"]) == head and watched[0]["errors"] == [], watched
    assert _without_typename(watched[-1]["data"]) == plain["data"], watched[-1]
    assert watched[-1]["errors"] == expected_errors, watched[-1]
    queried = got["apolloClient"]["query"]
    assert _without_typename(queried["data"]) == plain["data"] and queried["errors"] == expected_errors, queried

    for reader in URQL_DEFERRED:
        emitted = got[reader]["emitted"]
        assert all(result["networkError"] is None for result in emitted), (reader, emitted)
        first, last = emitted[0], emitted[-1]
        assert (first["hasNext"], _person_fields(first["data"]), first["errors"]) == (True, head, []), (reader, first)
        assert last["hasNext"] is False, (reader, emitted)
        assert last["data"] == plain["data"] and last["errors"] == expected_errors, (reader, last)


async def test_apollo_client_and_urql_end_with_the_plain_answer_after_the_deferred_part(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    # The appointments a little late, so that the deferred part reaches the clients in a read of its own.
    await _set_faults(gateway, sandbox, "appointments", {"latency_ms": 150})
    token = await gateway.token(KARI)
    got = await _clients(gateway, token, "page")
    plain = await _plain(gateway, token, got["documents"]["page"])
    assert "errors" not in plain and _person_fields(plain["data"]) == sorted(["name", "threads", *DEFERRED]), plain
    _check_deferred_page(got, plain)


async def test_urql_merges_the_streamed_items_into_the_plain_list(gateway: GatewayClient) -> None:
    """@stream(initialCount: 1): urql shows the first thread, then all three (Apollo Client 3 reads no
    @stream; see incremental_clients.mjs)."""
    token = await gateway.token(KARI)
    got = await _clients(gateway, token, "streamed")
    plain = await _plain(gateway, token, got["documents"]["streamed"])
    expected = plain["data"]["viewer"]["person"]["threads"]["nodes"]
    assert "errors" not in plain and len(expected) == 3, plain
    for reader in URQL_STREAMED:
        emitted = got[reader]["emitted"]
        assert all(r["networkError"] is None and r["errors"] == [] for r in emitted), (reader, emitted)
        lists = [r["data"]["viewer"]["person"]["threads"]["nodes"] for r in emitted]
        assert emitted[0]["hasNext"] is True and lists[0] == expected[:1], (reader, emitted)
        assert all(nodes == expected[: len(nodes)] for nodes in lists), (reader, lists)  # each a prefix
        assert emitted[-1]["hasNext"] is False and emitted[-1]["data"] == plain["data"], (reader, emitted)


async def test_a_deferred_part_whose_source_is_down_ends_with_its_error_and_the_threads(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    await _set_faults(gateway, sandbox, "appointments", {"down": True})
    token = await gateway.token(KARI)
    got = await _clients(gateway, token, "page")
    plain = await _plain(gateway, token, got["documents"]["page"])
    # What every client must end with: the appointments null, one error at their path, the rest there.
    person = plain["data"]["viewer"]["person"]
    assert person["appointments"] is None and person["healthContacts"] and len(person["threads"]["nodes"]) == 3
    assert [(e["path"], e["code"]) for e in _errors(plain)] == [(APPOINTMENTS, UPSTREAM_UNAVAILABLE)], plain
    _check_deferred_page(got, plain)
