"""GraphQL over HTTP: the `graphql-http` audit suite against the running gateway, and what it does not cover.

The audit (tests/conformance/audit.mjs) needs Node.js and `npm ci`: skipped on a laptop without them, never
in CI. The other tests here speak HTTP from Python and always run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.core.errors import AuditUnavailable, InternalError, Unauthenticated
from gateway.http_media import is_request_error, response_media_type
from sandbox.seed import KARI
from tests.support import GatewayClient, run_node

AUDIT_SCRIPT = Path(__file__).with_name("audit.mjs")
GRAPHQL_RESPONSE = "application/graphql-response+json"
BOTH = f"{GRAPHQL_RESPONSE}, application/json"


async def _run_audit(endpoint: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = await run_node(AUDIT_SCRIPT, endpoint)
    return results


async def test_every_must_and_should_audit_passes(gateway: GatewayClient) -> None:
    results = await _run_audit(f"{gateway.url}/graphql")
    assert len(results) >= 50, results  # graphql-http 1.22+ has about sixty server audits
    assert {r["status"] for r in results} <= {"ok", "notice", "warn", "error"}
    required = [r for r in results if r["name"].startswith(("MUST ", "SHOULD "))]
    failing = [f"{r['id']} {r['status']}: {r['name']} ({r['reason']})" for r in required if r["status"] != "ok"]
    assert not failing, "GraphQL-over-HTTP audits failing:\n" + "\n".join(failing)


# What the audit does not exercise: a variable that is used and does not coerce, a field error, the
# legacy media type for the same, 405 and 415, and the Accept header's finer points.


async def _post(
    gateway: GatewayClient, body: object, accept: str | None, content_type: str = "application/json"
) -> tuple[int, str, dict[str, Any]]:
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    data = body if isinstance(body, str) else json.dumps(body)
    async with gateway.http.post(f"{gateway.url}/graphql", data=data, headers=headers) as resp:
        return resp.status, resp.content_type, json.loads(await resp.text())


COERCION_FAILURE = {"query": "query P($id: ID!) { person(id: $id) { id } }", "variables": {"id": 1.5}}


async def test_a_variable_that_does_not_coerce_is_a_request_error(gateway: GatewayClient) -> None:
    status, content_type, body = await _post(gateway, COERCION_FAILURE, BOTH)
    assert (status, content_type) == (400, GRAPHQL_RESPONSE)
    assert "data" not in body and len(body["errors"]) == 1 and "path" not in body["errors"][0]
    # The legacy media type: 200 for a well-formed request whatever its errors; still no `data`.
    status, content_type, legacy = await _post(gateway, COERCION_FAILURE, "application/json")
    assert (status, content_type, legacy) == (200, "application/json", body)


@pytest.mark.parametrize("query", ["{", "{ noSuchField }", "{ viewer { person { id } } } { viewer { id } }"])
async def test_documents_that_do_not_parse_or_validate_are_request_errors(gateway: GatewayClient, query: str) -> None:
    status, content_type, body = await _post(gateway, {"query": query}, GRAPHQL_RESPONSE)
    assert (status, content_type) == (400, GRAPHQL_RESPONSE) and "data" not in body and body["errors"]
    status, content_type, legacy = await _post(gateway, {"query": query}, None)
    assert (status, content_type, legacy) == (200, "application/json", body)


async def test_a_field_error_after_execution_started_is_200_with_data(gateway: GatewayClient) -> None:
    # No token: `viewer` is non-null, so its error nulls the whole `data`, which is still present.
    status, content_type, body = await _post(gateway, {"query": "{ viewer { id } }"}, BOTH)
    assert (status, content_type) == (200, GRAPHQL_RESPONSE)
    assert body["data"] is None and body["errors"][0]["path"] == ["viewer"]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_query_over_get_answers_in_the_accepted_media_type(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    headers = {"Authorization": f"Bearer {token}", "Accept": GRAPHQL_RESPONSE}
    params = {"query": "query V { viewer { id } }", "operationName": "V"}
    async with gateway.http.get(f"{gateway.url}/graphql", params=params, headers=headers) as resp:
        assert (resp.status, resp.content_type) == (200, GRAPHQL_RESPONSE)
        assert "Accept" in resp.headers.get("Vary", "")
        assert json.loads(await resp.text()) == {"data": {"viewer": {"id": KARI}}}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_a_mutation_over_get_is_405_allowing_post(gateway: GatewayClient, accept: str) -> None:
    params = {"query": 'mutation { archiveThread(input: {threadId: "t"}) { thread { id } } }'}
    async with gateway.http.get(f"{gateway.url}/graphql", params=params, headers={"Accept": accept}) as resp:
        assert (resp.status, resp.headers["Allow"], resp.content_type) == (405, "POST", accept)
        assert "mutations" in json.loads(await resp.text())["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD"])
async def test_a_method_other_than_get_or_post_is_405_in_json_allowing_both(
    gateway: GatewayClient, method: str
) -> None:
    # A body where the method may carry one, as a client that takes /graphql for a REST resource sends it.
    body = json.dumps({"query": "{ __typename }"}) if method in ("PUT", "DELETE", "PATCH") else None
    headers = {"Accept": BOTH, "Content-Type": "application/json"}
    async with gateway.http.request(method, f"{gateway.url}/graphql", data=body, headers=headers) as resp:
        assert (resp.status, resp.headers["Allow"], resp.content_type) == (405, "GET, POST", GRAPHQL_RESPONSE)
        if method != "HEAD":  # an answer to HEAD has no body
            [error] = json.loads(await resp.text())["errors"]
            assert error["extensions"] == {"code": "BAD_REQUEST"} and error["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "expected_status"),
    [
        ('{"query": "{ __typename }"}', "text/plain", 415),
        ("query=%7B__typename%7D", "application/x-www-form-urlencoded", 415),
        ("5", "application/json", 400),
        ("null", "application/json", 400),
        ('"{ __typename }"', "application/json", 400),
        ('{"query": "{ __typename }"', "application/json", 400),
        ('{"query": "{ __typename }", "operationName": {"a": 1}}', "application/json", 400),
        ('{"query": "{ __typename }", "variables": [1]}', "application/json", 400),
        ('{"qeury": "{ __typename }"}', "application/json", 400),
    ],
)
async def test_malformed_requests_are_refused_with_json_errors(
    gateway: GatewayClient, body: str, content_type: str, expected_status: int
) -> None:
    status, media_type, answer = await _post(gateway, body, BOTH, content_type=content_type)
    assert (status, media_type) == (expected_status, GRAPHQL_RESPONSE)
    assert list(answer) == ["errors"] and answer["errors"][0]["message"]
    status, media_type, legacy = await _post(gateway, body, "application/json", content_type=content_type)
    assert (status, media_type, legacy) == (expected_status, "application/json", answer)


async def test_browsers_still_get_graphiql(gateway: GatewayClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    async with gateway.http.get(f"{gateway.url}/graphql", headers={"Accept": accept}) as resp:
        assert resp.status == 200 and resp.content_type == "text/html"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),  # the legacy watershed: no Accept means application/json
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (BOTH, GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.5, application/json", "application/json"),
        ("application/json;q=0.5, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0, */*", "application/json"),
        ("application/graphql-response+json, */*;q=0.1", GRAPHQL_RESPONSE),
        ("text/html", "application/json"),  # neither is acceptable: the spec lets us disregard Accept
        ("application/graphql-response+json;q=oops", GRAPHQL_RESPONSE),
    ],
)
def test_response_media_type_follows_accept(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


def test_request_errors_are_those_raised_before_execution() -> None:
    from graphql import GraphQLError

    syntax = GraphQLError("Syntax Error: Expected Name, found <EOF>.")
    assert is_request_error(PreExecutionError(data=None, errors=[syntax]))
    # Variable coercion, as graphql-core returns it, plain or masked by PublicErrors.
    coercion = GraphQLError("Variable '$id' got invalid value 1.5; ID cannot represent value: 1.5")
    assert is_request_error(ExecutionResult(data=None, errors=[coercion]))
    masked = GraphQLError("Unexpected error.", original_error=InternalError())
    assert is_request_error(ExecutionResult(data=None, errors=[masked]))
    # A field error has a path; the access log's refusal replaces an executed result; data is data.
    field = GraphQLError("Sign in", path=["viewer"], original_error=Unauthenticated())
    assert not is_request_error(ExecutionResult(data=None, errors=[field]))
    assert not is_request_error(ExecutionResult(data=None, errors=[AuditUnavailable()]))
    assert not is_request_error(ExecutionResult(data={"viewer": None}, errors=[field]))
    assert not is_request_error(ExecutionResult(data={"__typename": "Query"}, errors=None))


APQ_CLIENTS = Path(__file__).with_name("apq_clients.mjs")


async def test_apollo_clients_and_urqls_persisted_query_links_work_unchanged(gateway: GatewayClient) -> None:
    """Each link first sends the hash alone, is told PERSISTED_QUERY_NOT_FOUND, sends the document with
    it, and the next time the hash alone is enough (urql sends all three over GET)."""
    got = await run_node(APQ_CLIENTS, f"{gateway.url}/graphql", await gateway.token(KARI))
    # Apollo Client adds __typename to every selection set.
    name = {"__typename": "PersonName", "full": "Kari Nordmann"}
    viewer = {"viewer": {"__typename": "Viewer", "person": {"__typename": "Person", "name": name}}}
    assert got["apollo"]["data"] == [viewer, viewer]
    assert [s["withDocument"] for s in got["apollo"]["sent"]] == [False, True, False]
    assert got["urql"]["errors"] == []
    assert [d["viewer"]["id"] for d in got["urql"]["data"]] == [KARI, KARI]
    sent = [(s["method"], s["withDocument"]) for s in got["urql"]["sent"]]
    assert sent == [("GET", False), ("GET", True), ("GET", False)]
