"""Every error a client can get carries a stable extensions.code (README, "Errors")."""

from __future__ import annotations

import pytest

from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient

ENTITIES = """{ _entities(representations: [
  {id: "x"}, {__typename: "Thread", id: "t"}, {__typename: "Person"}, {__typename: "Person", id: "12848510058"}
]) { ... on Person { name { full } } } }"""


TOO_LONG = "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ person(", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ persn }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($id: ID!) { person(id: $id) { id } }", {}, "BAD_USER_INPUT"),
        ("query($id: ID!) { person(id: $id) { id } }", {"id": 1.5}, "BAD_USER_INPUT"),
        ("query($n: Int) { viewer { person { threads(first: $n) { totalCount } } } }", {"n": "x"}, "BAD_USER_INPUT"),
        # Python's int() refuses 5,000 digits (an internal error once): refused with the document.
        ("{ viewer { person { threads(first: " + "9" * 5000 + ") { __typename } } } }", {}, TOO_LONG),
    ],
)
async def test_request_errors_have_codes(gateway: GatewayClient, query: str, variables: dict, code: str) -> None:
    result = await gateway.execute(query, variables, as_pid=KARI)
    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == [code]


NOT_ASCII_DIGITS = ["²²²²²²²²²²²", "١٢٨٤٨٥١٠٠٥٨", "１２８４８５１００５８"]


@pytest.mark.parametrize("person_id", NOT_ASCII_DIGITS)
async def test_ids_in_other_digits_are_bad_input_before_any_upstream_call(
    gateway: GatewayClient, sandbox: Sandbox, person_id: str
) -> None:
    """A fødselsnummer is 11 ASCII digits: others that Python calls digits are refused, not sent upstream."""
    token = await gateway.token(KARI)
    sandbox.reset()
    person = await gateway.execute("query($id: ID!) { person(id: $id) { id } }", {"id": person_id}, token=token)
    entity = await gateway.execute(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }",
        {"r": [{"__typename": "Person", "id": person_id}]},
        token=token,
    )
    for result, path in ((person, ["person"]), (entity, ["_entities", 0])):
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [(path, "BAD_USER_INPUT")]
    assert sum(sandbox.total_requests().values()) == 0


async def test_a_date_past_what_fhir_carries_is_bad_input_before_the_appointments_source(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.token(KARI)
    sandbox.reset()
    result = await gateway.execute(
        '{ viewer { person { appointments(from: "9999-12-31T23:59:59Z") { totalCount } } } }', token=token
    )
    assert [(e["path"], e["extensions"]) for e in result["errors"]] == [
        (["viewer", "person", "appointments"], {"code": "BAD_USER_INPUT", "argument": "from"})
    ]
    assert sandbox.total_requests()["appointments"] == 0


async def test_more_representations_than_the_cap_are_bad_input_before_any_upstream_call(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.service_token()
    sandbox.reset()
    entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }"
    result = await gateway.execute(entities, {"r": [{"__typename": "Person", "id": KARI}] * 101}, token=token)
    assert result["data"] is None
    assert [(e["path"], e["extensions"]) for e in result["errors"]] == [
        (["_entities"], {"code": "BAD_USER_INPUT", "argument": "representations"})
    ]
    assert sum(sandbox.total_requests().values()) == 0
    within = await gateway.execute(entities, {"r": [{"__typename": "Person", "id": KARI}] * 100}, token=token)
    assert "errors" not in within and len(within["data"]["_entities"]) == 100


async def test_malformed_entity_representations_are_bad_input_one_by_one(gateway: GatewayClient) -> None:
    result = await gateway.execute(ENTITIES, as_pid=KARI)
    assert result["data"]["_entities"] == [None, None, None, {"name": {"full": "Kari Nordmann"}}]
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["_entities", 0], "BAD_USER_INPUT"),
        (["_entities", 1], "BAD_USER_INPUT"),
        (["_entities", 2], "BAD_USER_INPUT"),
    ]


TOO_MANY_ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 5001 + "}"


@pytest.mark.parametrize("query", [TOO_MANY_ALIASES, TOO_MANY_TOKENS], ids=["31 aliases", "5001 tokens"])
async def test_oversized_documents_are_refused_before_execution(gateway: GatewayClient, query: str) -> None:
    result = await gateway.execute(query, as_pid=KARI)
    assert "data" not in result
    assert {e["extensions"]["code"] for e in result["errors"]} <= {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}


SUBSCRIPTION = 'subscription { inboxEvents(personId: "12848510058") { __typename } }'


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_a_request_error_that_names_the_websocket(
    gateway: GatewayClient, method: str
) -> None:
    headers = {"Authorization": f"Bearer {await gateway.token(KARI)}", "Accept": "application/graphql-response+json"}
    if method == "POST":
        sent = gateway.http.post(f"{gateway.url}/graphql", json={"query": SUBSCRIPTION}, headers=headers)
    else:
        sent = gateway.http.get(f"{gateway.url}/graphql", params={"query": SUBSCRIPTION}, headers=headers)
    async with sent as resp:
        body = await resp.json(content_type=None)
    assert resp.status == 400
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]


BAD_BODIES = {
    "invalid UTF-8": b"\x80",
    "invalid UTF-8 in a string": b'{"query": "{ __typename \x80 }"}',
    "variables nested 2,000 deep": b'{"query": "query($v: String) { __typename }", "variables": {"v": '
    + b"[" * 2000
    + b"]" * 2000
    + b"}}",
    "a 5,000-digit integer variable": b'{"query": "query($v: Int) { __typename }", "variables": {"v": '
    + b"9" * 5000
    + b"}}",
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_a_body_that_is_not_usable_json_is_a_400_with_a_json_error(gateway: GatewayClient, body: bytes) -> None:
    headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
    async with gateway.http.post(f"{gateway.url}/graphql", data=body, headers=headers) as resp:
        answer = await resp.json(content_type=None)
    assert resp.status == 400
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_REQUEST"]
