"""Plans: plain fields called directly, guarded ones through their gates; what a field selects, from the plan."""

from __future__ import annotations

import graphql
import strawberry
from graphql.execution import VariableValues

from gateway.core.config import Settings
from gateway.engine import executor_with_plans, selected
from gateway.engine.compiler import Compiler
from gateway.engine.field_collection import fragments_of, operations_of
from gateway.engine.plan import FieldStep, ObjectPlan
from gateway.engine.plan_cache import NO_VARIABLES, PLANS_PER_OPERATION
from gateway.schema import build_schema
from gateway.schema.directives import AddressMask, ServiceGate
from sandbox import Sandbox
from sandbox.seed import KARI, OLA
from tests.support import GatewayClient

SCHEMA = build_schema(Settings.model_construct())._schema


def _steps(document: str) -> dict[tuple[str, str], FieldStep]:
    """Every step of the plan of `document`, by (type, response key)."""
    parsed = graphql.parse(document)
    assert not graphql.validate(SCHEMA, parsed)
    _, plans = executor_with_plans()
    plan = Compiler(SCHEMA, fragments_of(parsed), NO_VARIABLES, plans.completers).compile(operations_of(parsed)[0])
    assert plan.root is not None
    found: dict[tuple[str, str], FieldStep] = {}
    pending: list[ObjectPlan] = [plan.root]
    while pending:
        object_plan = pending.pop()
        for step in object_plan.steps:
            found[(object_plan.type.name, step.key)] = step
        pending.extend(_below(object_plan))
    return found


def _below(object_plan: ObjectPlan) -> list[ObjectPlan]:
    # The object plans a step completes into live in its completion's closure.
    below: list[ObjectPlan] = []
    for step in object_plan.steps:
        cells = [c.cell_contents for c in step.complete.__closure__ or ()]
        while cells:
            content = cells.pop()
            if isinstance(content, ObjectPlan):
                below.append(content)
            elif isinstance(content, dict):
                below.extend(v for v in content.values() if isinstance(v, ObjectPlan))
            elif callable(content) and getattr(content, "__closure__", None):
                cells.extend(c.cell_contents for c in content.__closure__)
    return below


PAGE = """query($id: ID!) { person(id: $id) { id name { given } address { city }
  threads(first: 2) { nodes { id subject messages(first: 1) { nodes { body } } counterpart { name } } }
  appointments { nodes { location { address { city } } } } } }"""


def test_plain_fields_are_called_directly_and_guarded_ones_through_their_gates() -> None:
    steps = _steps(PAGE)
    for key in [("Thread", "id"), ("Message", "body"), ("PersonName", "given"), ("Address", "city"), ("Person", "id")]:
        step = steps[key]
        assert step.read is not None and step.serialize is not None, key  # read and serialized in one step
    assert steps[("ThreadConnection", "nodes")].read is not None
    # Through Strawberry's resolver, with its field extensions: the access rules and the address mask.
    for key in [("Person", "threads"), ("Person", "address"), ("Person", "appointments"), ("Location", "address")]:
        step = steps[key]
        assert step.read is None and step.call is None, key
        definition = step.definition.extensions["strawberry-definition"]
        assert any(isinstance(e, ServiceGate | AddressMask) for e in definition.extensions), key


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


CONDITIONAL = """query($id: ID!, $withMessages: Boolean!) { person(id: $id) { threads(first: 5) { nodes {
  id ...M @include(if: $withMessages) } } } }
fragment M on Thread { messages(first: 1) { nodes { id } } }"""


async def test_a_page_loads_its_messages_only_when_the_plan_includes_them(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    """`selected(info)` answers from the plan, @include applied: the messages are neither loaded nor
    shown when the variable leaves them out, and loaded in one request when it takes them in. (Kari
    reads Ola's inbox by fullmakt, where the rules do not look at messages one by one, so nothing but
    the selection loads them.)"""
    token = await gateway.token(KARI)
    requests = []
    for with_messages in (False, True, False):
        sandbox.reset()
        answer = await gateway.execute(CONDITIONAL, {"id": OLA, "withMessages": with_messages}, token=token)
        assert "errors" not in answer, answer
        nodes = answer["data"]["person"]["threads"]["nodes"]
        assert nodes and all(("messages" in node) is with_messages for node in nodes)
        requests.append(sum(sandbox.control("inbox").counts.values()))
    # The threads; then the threads and every thread's messages in one request; then the threads again.
    assert requests == [1, 2, 1]


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
            seen.append("messages" in selected(info).nodes())
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


def test_a_plan_answers_exactly_as_graphql_core() -> None:
    """Values, nulls in non-null fields, values the type refuses and raising resolvers: the same data and
    the same errors (message, path) with the fast path as with Strawberry's own execution."""
    document = "{ rows { count label name } }"
    plain = strawberry.Schema(_Rows)
    fast = strawberry.Schema(_Rows, execution_context_class=executor_with_plans()[0])
    expected, got = plain.execute_sync(document), fast.execute_sync(document)
    assert got.data == expected.data and got.data is not None
    assert [(e.message, e.path) for e in got.errors or ()] == [(e.message, e.path) for e in expected.errors or ()]
    assert len(got.errors or ()) == 3


def test_an_operation_keeps_a_bounded_number_of_plans_however_many_conditions_it_has() -> None:
    """Each combination of @skip/@include variables is a plan of its own; a client that sends every
    combination of many of them makes the oldest plans go, never memory without end."""
    flags = [f"f{i}" for i in range(6)]
    text = (
        "query("
        + ", ".join(f"${flag}: Boolean!" for flag in flags)
        + ") { viewer { "
        + " ".join(f"a{i}: id @include(if: ${flag})" for i, flag in enumerate(flags))
        + " } }"
    )
    document = graphql.parse(text)
    assert not graphql.validate(SCHEMA, document)
    _, plans = executor_with_plans()
    (operation,) = operations_of(document)
    for combination in range(2 ** len(flags)):
        values = {flag: bool(combination >> i & 1) for i, flag in enumerate(flags)}
        plan = plans.plan(SCHEMA, operation, fragments_of(document), VariableValues({}, values))
        assert plan.root is not None
        assert plans.plan(SCHEMA, operation, fragments_of(document), VariableValues({}, values)) is plan
    assert len(plans) == PLANS_PER_OPERATION


PLACES = """query($id: ID!, $where: Boolean!) { person(id: $id) { appointments(first: 10) { nodes {
  id title location @include(if: $where) { name } } } } }"""


async def test_appointments_load_their_place_only_when_the_query_reads_it(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.token(KARI)
    located = []
    for where in (False, True):
        sandbox.reset()
        answer = await gateway.execute(PLACES, {"id": KARI, "where": where}, token=token)
        assert "errors" not in answer, answer
        nodes = answer["data"]["person"]["appointments"]["nodes"]
        assert nodes and all(("location" in node) is where for node in nodes)
        located.append(sandbox.control("appointments").counts.get("GET /fhir/Location", 0))
    # No Location without `location`; with it, the page's Locations in one request.
    assert located == [0, 1]
