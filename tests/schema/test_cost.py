"""The static cost of an operation (gateway/schema/cost.py): objects it may return, from its list sizes."""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.core.config import Settings
from gateway.schema import build_schema
from gateway.schema.cost import operation_cost
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient

SCHEMA = build_schema(Settings.model_construct())._schema

# The largest page of threads, each with the largest page of messages.
LARGEST_PAGES = (
    'person(id: "12848510058") { threads(first: 100) { nodes { messages(first: 100) { nodes { body } } } } }'
)
THIRTY_ALIASES = "{ " + " ".join(f"a{i}: {LARGEST_PAGES}" for i in range(30)) + " }"


@pytest.mark.parametrize(
    ("document", "variables", "cost", "by_variables"),
    [
        ("{ __typename viewer { id } }", {}, 1, False),  # an object costs 1, scalars nothing
        ('{ person(id: "12848510058") { name { full } } }', {}, 2, False),
        # A connection: 1, and its page of nodes at the size asked (20 when not given).
        ('{ person(id: "1") { threads { totalCount nodes { id } } } }', {}, 1 + 1 + 20, False),
        ('{ person(id: "1") { threads(first: 3) { edges { node { id } } } } }', {}, 1 + 1 + 3 * 2, False),
        ('query($n: Int) { person(id: "1") { threads(first: $n) { nodes { id } } } }', {"n": 7}, 1 + 1 + 7, True),
        ('query($n: Int = 5) { person(id: "1") { threads(first: $n) { nodes { id } } } }', {}, 1 + 1 + 5, True),
        # Past the largest page: counted as 100 (the field refuses it with its own message).
        ('{ person(id: "1") { threads(first: 5000) { nodes { id } } } }', {}, 1 + 1 + 100, False),
        # A list without paging counts 10; a fragment counts as its selections.
        ('{ person(id: "1") { ...C } } fragment C on Person { healthContacts { id } }', {}, 1 + 10, False),
        ('{ person(id: "1") { ... on Person { healthContacts { id } } } }', {}, 1 + 10, False),
        (
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }",
            {"r": [{"__typename": "Person", "id": KARI}] * 4},
            4,
            True,
        ),
        ("{ " + LARGEST_PAGES + " }", {}, 1 + 1 + 100 * (1 + 1 + 100), False),
        (THIRTY_ALIASES, {}, 30 * 10_202, False),
    ],
)
def test_cost_counts_the_objects_an_operation_may_return(
    document: str, variables: dict, cost: int, by_variables: bool
) -> None:
    assert operation_cost(SCHEMA, parse(document), None, variables) == (cost, by_variables)


async def test_an_operation_over_the_cost_limit_is_refused_before_any_upstream_call(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.token(KARI)
    sandbox.reset()
    result = await gateway.execute(THIRTY_ALIASES, token=token)
    assert "data" not in result
    [error] = result["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED", "cost": 306_060, "limit": 20_000}
    assert "306060" in error["message"] and "20000" in error["message"]
    assert sum(sandbox.total_requests().values()) == 0


async def test_the_largest_page_of_threads_with_their_messages_is_within_the_limit(gateway: GatewayClient) -> None:
    result = await gateway.execute("{ " + LARGEST_PAGES + " }", as_pid=KARI)
    assert "errors" not in result
