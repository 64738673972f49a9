"""Generated HTTP requests to /graphql: whatever the body, headers and query string, no 5xx, and
every answer is a JSON object with `errors` or `data` (GraphQL over HTTP's shape)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.seed import KARI
from tests.support import GatewayClient

DOCUMENTS = [
    "{ __typename }",
    f'{{ person(id: "{KARI}") {{ name {{ full }} threads(first: 2) {{ nodes {{ id }} }} }} }}',
    "query($id: ID!) { person(id: $id) { id } }",
    "query($n: Int) { viewer { person { threads(first: $n) { totalCount } } } }",
    'mutation { archiveThread(input: {personId: "x", threadId: "y"}) { thread { id } } }',
    'subscription { inboxEvents(personId: "12848510058") { kind } }',
    "{ _entities(representations: [{}]) { __typename }",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
queries = st.sampled_from(DOCUMENTS) | st.text(max_size=60)
requests = st.fixed_dictionaries(
    {},
    optional={
        "query": queries | json_values,
        "variables": st.dictionaries(st.sampled_from(["id", "n", "x"]), json_values, max_size=2) | json_values,
        "operationName": st.none() | st.text(max_size=10) | json_values,
        "extensions": json_values,
    },
)
bodies = (
    requests.map(lambda r: json.dumps(r).encode())
    | st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "application/graphql-response+json", ""]
)
accepts = st.sampled_from(
    ["", "*/*", "application/json", "application/graphql-response+json", "application/xml", "application/json;q=0"]
)
authorizations = st.sampled_from(["", "Bearer not.a.jwt", "Basic eDp5", "Bearer", "token"])


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same requests on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(["POST", "GET"]),
    body=bodies,
    params=st.dictionaries(
        st.sampled_from(["query", "variables", "operationName", "extensions"]), st.text(max_size=40)
    ),
    content_type=content_types,
    accept=accepts,
    authorization=authorizations,
    signed_in=st.booleans(),
)
async def test_no_request_gets_a_server_error_or_an_answer_that_is_not_json(
    gateway: GatewayClient,
    method: str,
    body: bytes,
    params: dict[str, str],
    content_type: str,
    accept: str,
    authorization: str,
    signed_in: bool,
) -> None:
    headers = {"Content-Type": content_type, "Accept": accept}
    if signed_in:
        headers["Authorization"] = f"Bearer {await gateway.token(KARI)}"
    elif authorization:
        headers["Authorization"] = authorization
    headers = {name: value for name, value in headers.items() if value}
    sent: Any = (
        gateway.http.post(f"{gateway.url}/graphql", data=body, headers=headers)
        if method == "POST"
        else gateway.http.get(f"{gateway.url}/graphql", params=params, headers=headers)
    )
    try:
        async with sent as resp:
            raw = await resp.read()
    except aiohttp.ClientError as exc:  # the gateway must answer, not drop the connection
        raise AssertionError(f"{method} {headers} {body[:100]!r}: {exc}") from exc
    assert resp.status < 500, (resp.status, method, headers, body[:200], raw[:300])
    if method == "GET" and "query" not in params and resp.content_type == "text/html":
        return  # GraphiQL, the page a browser gets at /graphql
    answer = json.loads(raw)
    assert isinstance(answer, dict) and ("errors" in answer or "data" in answer), raw[:300]
