"""Incremental delivery through HTTP and the WebSocket, as clients read it: @defer and @stream answered in
parts (multipart/mixed, Server-Sent Events, graphql-transport-ws `next` messages), one JSON answer for a
client that reads neither, and the access rules, errors, masks and access log held in every part.

Every answer in parts is also checked against graphql-core's own executor (tests/engine/differential.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.core.errors import AuditUnavailable
from sandbox import Sandbox
from sandbox.seed import ERIK, INGRID, JONAS, KARI, NORA
from tests.engine.differential import merge_into
from tests.support import BY_ID, GatewayClient, LiveSubscription, gateway_for, until

PAGE = """query Page($p: ID!) { person(id: $p) {
  name { full }
  threads(first: 3) { totalCount nodes { subject } }
  ... @defer(label: "slow") { appointments(first: 3) { nodes { title } } healthContacts { name } }
} }"""
WHOLE_PAGE = PAGE.replace('@defer(label: "slow") ', "")

# The Accept headers of the clients: the current proposal's format, Apollo Client 3's, urql's (Server-Sent
# Events), and one that reads JSON only.
APOLLO = "multipart/mixed;deferSpec=20220824,application/json"
URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed"
)
JSON_ONLY = "application/json"


def _whole(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer the parts make together, in either format (by id, or by path), with all their errors."""
    data = copy.deepcopy(parts[0]["data"])
    errors = list(parts[0].get("errors", ()))
    paths: dict[str, list[Any]] = {}
    for part in parts:
        paths.update({pending["id"]: pending["path"] for pending in part.get("pending", ())})
        for entry in part.get("incremental", ()):
            path = entry["path"] if "path" in entry else [*paths[entry["id"]], *entry.get("subPath", ())]
            if "items" in entry:
                *path, index = path if "path" in entry else [*path, None]
                node = _at(data, path)
                node[index if index is not None else len(node) :] = entry["items"]
            else:
                merge_into(_at(data, path), entry["data"])
            errors.extend(entry.get("errors", ()))
        for completed in part.get("completed", ()):
            errors.extend(completed.get("errors", ()))
    return {"data": data, **({"errors": errors} if errors else {})}


def _at(data: Any, path: list[Any]) -> Any:
    for key in path:
        data = data[key]
    return data


async def _over_the_websocket(gateway: GatewayClient, token: str, person: str, query: str) -> list[dict[str, Any]]:
    """Every message graphql-transport-ws sends for the operation (`$p`: `person`), to its `complete`."""
    live = await LiveSubscription.open(gateway.http, gateway.url, token, person, query)
    try:
        messages = [await live.next()]
        while messages[-1]["type"] == "next":
            messages.append(await live.next())
    finally:
        await live.close()
    return messages


def _codes(errors: list[dict[str, Any]]) -> list[tuple[list[Any], str, str | None]]:
    return [(e["path"], e["extensions"]["code"], e["extensions"].get("reason")) for e in errors]


@pytest.mark.parametrize("accept", [BY_ID, APOLLO, URQL])
async def test_the_slow_part_comes_later_and_the_parts_make_the_whole_answer(
    gateway: GatewayClient, accept: str
) -> None:
    token = await gateway.token(KARI)
    whole = await gateway.execute(WHOLE_PAGE, {"p": KARI}, token=token)
    parts = await gateway.parts(PAGE, {"p": KARI}, token=token, accept=accept)
    assert len(parts) >= 2
    first = parts[0]
    assert first["hasNext"] is True
    assert set(first["data"]["person"]) == {"name", "threads"}
    assert [part["hasNext"] for part in parts] == [True] * (len(parts) - 1) + [False]
    assert _whole(parts) == whole
    if accept == BY_ID:
        assert first["pending"] == [{"id": "0", "path": ["person"], "label": "slow"}]
        assert parts[-1]["completed"] == [{"id": "0"}]
    else:  # deferSpec=20220824: each entry says where it goes
        assert "pending" not in first
        assert parts[1]["incremental"][0]["path"] == ["person"]
        assert parts[1]["incremental"][0]["label"] == "slow"


async def test_a_client_that_reads_json_only_gets_one_answer(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    for accept in (JSON_ONLY, "*/*", ""):
        parts = await gateway.parts(PAGE, {"p": KARI}, token=token, accept=accept)
        assert len(parts) == 1 and "hasNext" not in parts[0]
        assert set(parts[0]["data"]["person"]) == {"name", "threads", "appointments", "healthContacts"}


async def test_stream_sends_the_first_items_then_the_rest(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    query = """query($p: ID!) {
      person(id: $p) { threads(first: 4) { nodes @stream(initialCount: 1, label: "more") { subject } } }
    }"""
    whole = await gateway.execute(
        query.replace(' @stream(initialCount: 1, label: "more")', ""), {"p": KARI}, token=token
    )
    for accept in (BY_ID, URQL):
        parts = await gateway.parts(query, {"p": KARI}, token=token, accept=accept)
        assert len(parts[0]["data"]["person"]["threads"]["nodes"]) == 1
        assert _whole(parts) == whole
    legacy = await gateway.parts(query, {"p": KARI}, token=token, accept=APOLLO)
    items = [entry for part in legacy[1:] for entry in part.get("incremental", ())]
    # Each streamed item's path ends with its index in the list.
    assert [entry["path"][-1] for entry in items] == [
        1 + sum(len(e["items"]) for e in items[:i]) for i in range(len(items))
    ]


async def test_a_denial_inside_a_deferred_fragment_is_in_that_part(gateway: GatewayClient) -> None:
    # Erik's fullmakt for Ingrid covers her GP, not her inbox (PROXY_SCOPE).
    token = await gateway.token(ERIK)
    query = """query($p: ID!) { person(id: $p) {
      healthContacts { role }
      ... @defer(label: "inbox") { name { full } threads { totalCount } }
    } }"""
    parts = await gateway.parts(query, {"p": INGRID}, token=token)
    assert "errors" not in parts[0]
    assert {c["role"] for c in parts[0]["data"]["person"]["healthContacts"]} == {"GP"}
    later = [entry for part in parts[1:] for entry in part.get("incremental", ())]
    assert [entry["data"] for entry in later] == [{"name": {"full": "Ingrid Solberg"}, "threads": None}]
    assert _codes(later[0]["errors"]) == [(["person", "threads"], "FORBIDDEN", "PROXY_SCOPE")]
    assert parts[-1] == {"hasNext": False, **{k: parts[-1][k] for k in parts[-1] if k != "hasNext"}}


async def test_a_deferred_person_denied_as_a_whole_is_null_in_its_part(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    query = """{ viewer { person { name { full } } }
      ... @defer(label: "stranger") { stranger: person(id: "05918210190") { name { full } } } }"""
    parts = await gateway.parts(query, token=token)
    assert "errors" not in parts[0]
    later = [entry for part in parts[1:] for entry in part.get("incremental", ())]
    assert later[0]["data"] == {"stranger": None}
    assert _codes(later[0]["errors"]) == [(["stranger"], "FORBIDDEN", "NO_RELATION")]


async def test_a_source_failing_in_a_deferred_part_ends_that_part_with_its_error(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.token(KARI)
    sandbox.control("appointments").down = True
    parts = await gateway.parts(PAGE, {"p": KARI}, token=token)
    assert "errors" not in parts[0] and parts[0]["data"]["person"]["threads"]["totalCount"] > 0
    later = [entry for part in parts[1:] for entry in part.get("incremental", ())]
    assert later[0]["data"]["appointments"] is None
    assert later[0]["data"]["healthContacts"]
    assert _codes(later[0]["errors"]) == [(["person", "appointments"], "UPSTREAM_UNAVAILABLE", None)]
    assert parts[-1]["hasNext"] is False


async def test_a_masked_address_in_a_deferred_part_is_listed_in_that_part(gateway: GatewayClient) -> None:
    token = await gateway.service_token()
    query = "query($p: ID!) { person(id: $p) { name { full } ... @defer { address { city } } } }"
    parts = await gateway.parts(query, {"p": NORA}, token=token)
    assert "extensions" not in parts[0]
    later = [part for part in parts[1:] if part.get("incremental")]
    assert later[0]["incremental"][0]["data"] == {"address": None}
    assert later[0]["extensions"]["masked"] == [{"path": ["person", "address"], "reason": "CONFIDENTIAL_ADDRESS"}]


async def test_the_access_log_has_its_entry_before_the_part_leaves(gateway: GatewayClient, sandbox: Sandbox) -> None:
    kari, jonas = await gateway.token(KARI), await gateway.token(JONAS)
    log = "{ viewer { person { accessLog { nodes { actorId operationName } } } } }"
    sandbox.control("inbox").latency_ms = 200  # Jonas's threads come in a later part
    query = """query ReadJonas { viewer { person { name { full } } }
      ... @defer { jonas: person(id: "20821250162") { threads { totalCount } } } }"""
    seen = []
    async for part in gateway.stream_parts(query, token=kari):
        if part.get("incremental"):
            entries = (await gateway.execute(log, token=jonas))["data"]["viewer"]["person"]["accessLog"]["nodes"]
            seen.append(entries)
    assert seen and {"actorId": KARI, "operationName": "ReadJonas"} in seen[0]


async def test_a_client_that_goes_away_leaves_no_upstream_call_in_flight(sandbox: Sandbox) -> None:
    appointments = sandbox.control("appointments")
    appointments.latency_ms = 120_000
    # The gateway would wait for the slow call far longer than the test waits for it to be cancelled.
    async with gateway_for(sandbox, upstream_timeout_s=300.0) as gateway:
        token = await gateway.token(KARI)
        parts = gateway.stream_parts(PAGE, {"p": KARI}, token=token)
        first = await anext(parts)
        assert first["hasNext"] is True
        await until(lambda: appointments.in_flight == 1)  # the slow call is under way
        await parts.aclose()  # the client goes away mid-stream
        await until(lambda: appointments.in_flight == 0, within_s=10.0)
        # Nothing more is asked of any source for the answer nobody reads.
        asked = sandbox.total_requests()
        assert (await gateway.execute("{ viewer { id } }", token=token))["data"]["viewer"]["id"] == KARI
        assert sandbox.total_requests() == asked


async def test_graphql_transport_ws_sends_each_part_as_a_next_message(gateway: GatewayClient, sandbox: Sandbox) -> None:
    token = await gateway.token(KARI)
    messages = await _over_the_websocket(gateway, token, KARI, PAGE)
    assert messages[-1] == {"id": "1", "type": "complete"}
    payloads = [m["payload"] for m in messages[:-1]]
    assert len(payloads) >= 2 and payloads[0]["hasNext"] is True and payloads[-1]["hasNext"] is False
    assert set(payloads[0]["data"]["person"]) == {"name", "threads"}
    whole = await gateway.execute(WHOLE_PAGE, {"p": KARI}, token=token)
    assert _whole(payloads) == whole


async def test_the_cost_limit_counts_deferred_and_streamed_fields(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    page = "threads(first: 100) { nodes { messages(first: 100) { nodes { body } } } }"
    big = f"{{ viewer {{ person {{ a: {page} b: {page} }} }} }}"  # 20,404 objects, over the 20,000
    deferred = big.replace("b: threads", "... @defer { b: threads").replace("} } } } } }", "} } } } } } }")
    streamed = big.replace("nodes { messages", "nodes @stream(initialCount: 1) { messages")
    costs = []
    for query in (big, deferred, streamed):
        answer = (await gateway.parts(query, token=token))[0]
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["GRAPHQL_VALIDATION_FAILED"], query
        costs.append(answer["errors"][0]["extensions"]["cost"])
    assert costs == [20_404] * 3


async def test_persisted_queries_and_trusted_documents_run_with_defer(
    gateway: GatewayClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    sha = hashlib.sha256(PAGE.encode()).hexdigest()
    persisted = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}, "variables": {"p": KARI}}
    token = await gateway.token(KARI)
    missed = await gateway.parts(None, token=token, body=persisted)
    assert [e["extensions"]["code"] for e in missed[0]["errors"]] == ["PERSISTED_QUERY_NOT_FOUND"]
    registered = await gateway.parts(None, token=token, body={**persisted, "query": PAGE})
    by_hash = await gateway.parts(None, token=token, body=persisted)
    assert len(by_hash) >= 2 and _whole(by_hash) == _whole(registered)
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({sha: PAGE}))
    async with gateway_for(sandbox, trusted_documents=manifest) as trusted:
        body = {"documentId": sha, "variables": {"p": KARI}}
        parts = await trusted.parts(None, token=await trusted.token(KARI), body=body)
    assert len(parts) >= 2 and _whole(parts) == _whole(by_hash)


async def test_introspection_with_defer_answers_each_client_as_it_reads(gateway: GatewayClient) -> None:
    query = "{ __schema { queryType { name } ... @defer { mutationType { name } } } }"
    whole = await gateway.parts(query, accept=JSON_ONLY)
    assert whole == [{"data": {"__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}}}}]
    parts = await gateway.parts(query)
    assert len(parts) == 2 and _whole(parts) == whole[0]


async def test_over_the_websocket_a_mask_is_listed_in_the_part_that_carries_it(gateway: GatewayClient) -> None:
    token = await gateway.service_token()
    query = "query($p: ID!) { person(id: $p) { name { full } ... @defer { address { city } } } }"
    messages = await _over_the_websocket(gateway, token, NORA, query)
    payloads = [m["payload"] for m in messages[:-1]]
    assert "masked" not in payloads[0].get("extensions", {})
    carrying = [p for p in payloads[1:] if p.get("incremental")]
    assert carrying[0]["extensions"]["masked"] == [{"path": ["person", "address"], "reason": "CONFIDENTIAL_ADDRESS"}]


async def test_items_withheld_in_a_deferred_part_are_counted_there(gateway: GatewayClient) -> None:
    # Kari sees only the GP appointment of Jonas (14): the other three are counted, not shown.
    token = await gateway.token(KARI)
    query = """query($p: ID!) { person(id: $p) { name { full }
      ... @defer { appointments { totalCount hiddenCount nodes { title serviceKind } } } } }"""
    parts = await gateway.parts(query, {"p": JONAS}, token=token)
    assert "appointments" not in parts[0]["data"]["person"]
    later = [entry for part in parts[1:] for entry in part.get("incremental", ())]
    assert later[0]["data"] == {
        "appointments": {"totalCount": 1, "hiddenCount": 3, "nodes": [{"title": "Astmakontroll", "serviceKind": "GP"}]}
    }


async def test_a_refused_access_log_withholds_the_part_with_another_persons_data(
    sandbox: Sandbox, unused_tcp_port: int
) -> None:
    # Redis (the access log) is not there: Kari's own name goes, Jonas's threads never do.
    url_down = f"redis://127.0.0.1:{unused_tcp_port}/0"
    query = """query ReadJonas { viewer { person { name { full } } }
      ... @defer(label: "jonas") { jonas: person(id: "20821250162") { name { full } threads { totalCount } } } }"""
    async with gateway_for(sandbox, redis_url=url_down, upstream_timeout_s=5.0) as gateway:
        parts = await gateway.parts(query, token=await gateway.token(KARI))
    assert parts[0]["data"] == {"viewer": {"person": {"name": {"full": "Kari Nordmann"}}}}
    assert parts[0]["pending"] == [{"id": "0", "path": [], "label": "jonas"}]
    assert parts[1:] == [
        {
            "hasNext": False,
            "completed": [
                {
                    "id": "0",
                    "errors": [{"message": AuditUnavailable().message, "extensions": {"code": "AUDIT_UNAVAILABLE"}}],
                }
            ],
        }
    ]
    assert "Jonas" not in str(parts)
