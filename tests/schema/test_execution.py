"""How fields execute: plain fields straight through graphql-core, data loaded with its parent resolved at once."""

from __future__ import annotations

import graphql
import strawberry

from gateway.core.config import Settings
from gateway.schema import build_schema
from gateway.schema.common import node_fields
from gateway.schema.directives import AddressMask, ServiceGate
from gateway.schema.execution import GatewayExecutionContext, resolve_plain_fields
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient

SCHEMA = build_schema(Settings.model_construct())._schema


def _field(type_name: str, field_name: str) -> graphql.GraphQLField:
    graphql_type = SCHEMA.type_map[type_name]
    assert isinstance(graphql_type, graphql.GraphQLObjectType)
    return graphql_type.fields[field_name]


def test_plain_fields_resolve_directly_and_guarded_ones_keep_their_extensions() -> None:
    direct = [
        ("Thread", "id"),
        ("Message", "body"),
        ("PersonName", "given"),
        ("Address", "city"),
        ("Thread", "messages"),
    ]
    for type_name, field_name in [*direct, ("Thread", "counterpart"), ("HealthContact", "name")]:
        assert _field(type_name, field_name).resolve.__module__ == "gateway.schema.execution", (type_name, field_name)
    guarded = 0
    for graphql_type in SCHEMA.type_map.values():
        if not isinstance(graphql_type, graphql.GraphQLObjectType):
            continue
        for field in graphql_type.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if any(isinstance(e, ServiceGate | AddressMask) for e in getattr(definition, "extensions", ())):
                guarded += 1
                assert field.resolve is not None and field.resolve.__module__ != "gateway.schema.execution"
    assert guarded >= 10


def test_enum_values_serialize_by_name() -> None:
    category = SCHEMA.type_map["MessageCategory"]
    assert isinstance(category, graphql.GraphQLEnumType)
    from gateway.policy.vocabulary import MessageCategory

    assert category.serialize(MessageCategory.KOMMUNE) == "KOMMUNE"


INLINE = """query($id: ID!) { person(id: $id) { threads(first: 5) { nodes {
  id messages(first: 2) { nodes { id body } } } } } }"""
SPREAD = """query($id: ID!) { person(id: $id) { threads(first: 5) { edges { node { id ...Messages } } } } }
fragment Messages on Thread { messages(first: 2) { nodes { id body } } }"""


async def test_messages_selected_in_a_fragment_load_with_the_page(gateway: GatewayClient, sandbox: Sandbox) -> None:
    token = await gateway.token(KARI)
    sandbox.reset()
    spread = await gateway.execute(SPREAD, {"id": KARI}, token=token)
    counted = dict(sandbox.control("inbox").counts)
    inline = await gateway.execute(INLINE, {"id": KARI}, token=token)
    assert "errors" not in spread and "errors" not in inline
    assert [e["node"] for e in spread["data"]["person"]["threads"]["edges"]] == inline["data"]["person"]["threads"][
        "nodes"
    ]
    assert all(t["messages"]["nodes"] for t in inline["data"]["person"]["threads"]["nodes"])
    # The threads, then every thread's messages in one request.
    assert sum(counted.values()) == 2, counted


@strawberry.type
class _Item:
    messages: int = 0
    subject: str = ""


@strawberry.type
class _Edge:
    node: _Item


@strawberry.type
class _Page:
    nodes: list[_Item]
    edges: list[_Edge]


def _asks_for_messages(document: str) -> bool:
    seen: list[bool] = []

    @strawberry.type
    class Query:
        @strawberry.field
        def page(self, info: strawberry.Info) -> _Page:
            seen.append("messages" in node_fields(info))  # type: ignore[arg-type]
            return _Page(nodes=[_Item()], edges=[_Edge(node=_Item())])

    result = strawberry.Schema(Query).execute_sync(document)
    assert result.errors is None, result.errors
    return seen == [True]


def test_a_connection_sees_what_its_nodes_select_through_fragments() -> None:
    assert _asks_for_messages("{ page { nodes { messages } } }")
    assert _asks_for_messages("{ page { ...P } } fragment P on Page { nodes { ... on Item { messages } } }")
    assert not _asks_for_messages("{ page { nodes { subject } } }")
    assert _asks_for_messages("{ page { edges { node { messages } } } }")
    assert not _asks_for_messages("{ page { edges { node { subject } } } }")


@strawberry.type
class _Row:
    count: int
    label: str | None
    raw: strawberry.Private[object] = None

    @strawberry.field
    def name(self) -> str:
        if self.raw == "boom":
            raise ValueError("upstream said no")
        return str(self.raw)


@strawberry.type
class _Rows:
    @strawberry.field
    def rows(self) -> list[_Row | None]:
        return [
            _Row(count=1, label="a", raw="x"),
            _Row(count=None, label=None, raw="y"),  # type: ignore[arg-type]  # null in a non-null field
            _Row(count=2**40, label="b", raw="z"),  # not an Int
            _Row(count=3, label="c", raw="boom"),  # the resolver raises
        ]


def test_the_one_step_leaf_answers_exactly_as_graphql_cores_path() -> None:
    """Values, nulls in non-null fields, values the type refuses and raising resolvers: the same data and
    the same errors (message, path) with the fast path as with Strawberry's own execution."""
    document = "{ rows { count label name } }"
    plain = strawberry.Schema(_Rows)
    fast = strawberry.Schema(_Rows, execution_context_class=GatewayExecutionContext)
    assert resolve_plain_fields(fast._schema) == 4
    expected, got = plain.execute_sync(document), fast.execute_sync(document)
    assert got.data == expected.data and got.data is not None
    assert [(e.message, e.path) for e in got.errors or ()] == [(e.message, e.path) for e in expected.errors or ()]
    assert len(got.errors or ()) == 3
