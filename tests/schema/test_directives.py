"""The policy directives printed in schema.graphql are the rules the gateway enforces, field by field.

The test walks the printed SDL, not the catalog: for every field that prints `@portalService`, and for
demo pairs of viewer and subject with every basis (self, fullmakt, tildelt fullmakt, parent of a child
under 12 and of 12-15) and several consent levels, it works out from the printed `@requiresConsent`,
`@proxyScope` and `@childVisibility` alone whether the field must be refused and with which reason, then asks the
gateway over HTTP (queries, mutations) or WebSocket (the subscription). Every field with a directive
is refused to each viewer the printed rule denies, and no field is refused by a rule it does not print.

Fields that print `@selfOnly` (the access log, docs/access-rules.md#the-access-log) are walked the same
way: refused to every pair but the person themselves, with NO_RELATION, and to a service client with
SERVICE_SCOPE.

Youth access (a 13-15-year-old as themselves, docs/access-rules.md#youth-access) is a rule no directive prints; its
pairs are left out here and covered by tests/policy and tests/e2e/test_personas.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import graphql
import pytest
from graphql import language as ast

from gateway.app import build_app
from gateway.core.audit import MemoryAuditLog
from gateway.core.config import Settings
from gateway.core.events import MemoryEventBus
from gateway.core.shared import SharedState
from gateway.policy.clock import fixed_clock
from gateway.schema import build_schema
from gateway.schema.directives import AddressMask, SelfOnlyGate, ServiceGate
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.seed import EMMA, ERIK, INGRID, JONAS, KARI, MAJA, NORA, OLA, PER
from tests.support import TEST_NOW, GatewayClient, LiveSubscription, settings_for

ROOT = Path(__file__).resolve().parents[2]
SDL = graphql.parse((ROOT / "schema.graphql").read_text())
CONSENT_ORDER = ["NONE", "BASIS", "BASIS_PLUS", "FULL"]
AREA_NUMBER = {"REGISTERED_INFORMATION": 1, "DIGITAL_HEALTH_SERVICES": 3}
# A tildelt fullmakt's holder is limited to its areas as an ordinary one's is (docs/access-rules.md#bases).
BY_FULLMAKT = {"PROXY", "ASSIGNED_PROXY"}


@dataclass(frozen=True)
class PrintedField:
    """A field of schema.graphql."""

    type_name: str
    field: ast.FieldDefinitionNode

    @property
    def name(self) -> str:
        return self.field.name.value

    def __str__(self) -> str:
        return f"{self.type_name}.{self.name}"


@dataclass(frozen=True)
class PrintedRule(PrintedField):
    """A field with its service's directives as schema.graphql prints them."""

    service: str
    consent: str
    area: int | None  # None: no @proxyScope, so not available by fullmakt
    under12: str
    from12_to16: str


def _arguments(directive: ast.DirectiveNode) -> dict[str, str]:
    return {a.name.value: a.value.value for a in directive.arguments or ()}  # type: ignore[attr-defined]


def printed_rules() -> list[PrintedRule]:
    rules = []
    for definition in SDL.definitions:
        if not isinstance(definition, ast.ObjectTypeDefinitionNode):
            continue
        for field in definition.fields or ():
            directives = {d.name.value: _arguments(d) for d in field.directives or ()}
            if "portalService" not in directives:
                assert not directives.keys() & {"requiresConsent", "proxyScope", "childVisibility"}, field.name.value
                continue
            area = directives.get("proxyScope", {}).get("area")
            rules.append(
                PrintedRule(
                    definition.name.value,
                    field,
                    directives["portalService"]["name"],
                    directives["requiresConsent"]["level"],
                    AREA_NUMBER[area] if area else None,
                    directives["childVisibility"]["under12"],
                    directives["childVisibility"]["from12To16"],
                )
            )
    return rules


RULES = printed_rules()
SELF_ONLY = [
    PrintedField(definition.name.value, field)
    for definition in SDL.definitions
    if isinstance(definition, ast.ObjectTypeDefinitionNode)
    for field in definition.fields or ()
    if any(d.name.value == "selfOnly" for d in field.directives or ())
]


@dataclass(frozen=True)
class Pair:
    """A viewer and a subject from the demo personas (docs/personas.md), with the facts the rules read."""

    label: str
    viewer: str
    subject: str
    basis: str  # SELF, PROXY, ASSIGNED_PROXY or PARENT
    consent: str  # the subject's consent level
    areas: frozenset[int] = frozenset()  # PROXY, ASSIGNED_PROXY: the fullmakt's areas
    child_band: str = ""  # PARENT: "under12" or "from12To16"


PAIRS = [
    Pair("Kari as herself", KARI, KARI, "SELF", "FULL"),
    Pair("Ingrid as herself (BASIS)", INGRID, INGRID, "SELF", "BASIS"),
    Pair("Nora as herself (BASIS_PLUS, fortrolig)", NORA, NORA, "SELF", "BASIS_PLUS"),
    Pair("Kari for Ola (fullmakt 1, 3)", KARI, OLA, "PROXY", "FULL", frozenset({1, 3})),
    Pair("Erik for Ingrid (fullmakt 1)", ERIK, INGRID, "PROXY", "BASIS", frozenset({1})),
    Pair("Ola for Jonas (tildelt 1, 3)", OLA, JONAS, "ASSIGNED_PROXY", "FULL", frozenset({1, 3})),
    Pair("Kari for Emma (7)", KARI, EMMA, "PARENT", "FULL", child_band="under12"),
    Pair("Kari for Jonas (14)", KARI, JONAS, "PARENT", "FULL", child_band="from12To16"),
    Pair("Per for Maja (14)", PER, MAJA, "PARENT", "FULL", child_band="from12To16"),
]


def expected_refusal(rule: PrintedRule, pair: Pair) -> str | None:
    """The reason the printed directives give for refusing `pair`, or None: in the documented order,
    the basis (a fullmakt's area, a child's age) before consent."""
    if pair.basis in BY_FULLMAKT and (rule.area is None or rule.area not in pair.areas):
        return "PROXY_SCOPE"
    if pair.basis == "PARENT":
        visibility = rule.under12 if pair.child_band == "under12" else rule.from12_to16
        if visibility == "NONE":
            return "CHILD_AGE"
    if CONSENT_ORDER.index(pair.consent) < CONSENT_ORDER.index(rule.consent):
        return "CONSENT_LEVEL"
    return None


def test_the_walk_covers_queries_mutations_and_the_subscription() -> None:
    assert {r.type_name for r in RULES} == {"Person", "Mutation", "Subscription"}
    # Each pair is refused somewhere and allowed somewhere, so neither half of the test is empty.
    for pair in PAIRS:
        outcomes = {expected_refusal(rule, pair) for rule in RULES}
        assert None in outcomes or pair.basis in BY_FULLMAKT, pair.label
    assert {expected_refusal(r, p) for r in RULES for p in PAIRS} == {None, "PROXY_SCOPE", "CHILD_AGE", "CONSENT_LEVEL"}


def test_the_access_log_prints_the_own_log_rule() -> None:
    """Only the person may read their own log (docs/access-rules.md#the-access-log), and the SDL says so."""
    assert [str(f) for f in SELF_ONLY] == ["Person.accessLog"]


def test_the_fields_that_print_a_rule_are_the_fields_a_gate_guards() -> None:
    """The SDL and the running schema agree field by field: every printed rule has its ServiceGate (for
    the same service), every ServiceGate prints its rule, and likewise @selfOnly and SelfOnlyGate,
    @confidentialAddress and AddressMask."""
    schema = build_schema(Settings.model_construct())._schema
    gated, own, masked = set(), set(), set()
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, graphql.GraphQLObjectType) or type_name.startswith("_"):
            continue
        for field_name, field in graphql_type.fields.items():
            definition = field.extensions.get("strawberry-definition")
            for extension in getattr(definition, "extensions", ()):
                if isinstance(extension, ServiceGate):
                    gated.add((type_name, field_name, extension.service.value))
                if isinstance(extension, SelfOnlyGate):
                    own.add((type_name, field_name))
                if isinstance(extension, AddressMask):
                    masked.add((type_name, field_name))
    assert gated == {(r.type_name, r.name, r.service) for r in RULES}
    assert own == {(f.type_name, f.name) for f in SELF_ONLY}
    printed_masks = {
        (d.name.value, f.name.value)
        for d in SDL.definitions
        if isinstance(d, ast.ObjectTypeDefinitionNode)
        for f in d.fields or ()
        if any(x.name.value == "confidentialAddress" for x in f.directives or ())
    }
    assert masked == printed_masks and masked


@dataclass
class Stack:
    client: GatewayClient
    shared: SharedState


@pytest.fixture
async def stack(sandbox: Sandbox) -> AsyncIterator[Stack]:
    shared = SharedState(audit_log=MemoryAuditLog(), events=MemoryEventBus())
    app = build_app(settings_for(sandbox), clock=fixed_clock(TEST_NOW), shared=shared)
    async with serving(app) as url, aiohttp.ClientSession() as http:
        yield Stack(GatewayClient(url, http), shared)


def _named_type(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def _input_value(type_name: str, subject: str) -> Any:
    """An input that names the subject and is otherwise empty: an allowed mutation then answers with
    userErrors and changes nothing."""
    definition = next(
        d for d in SDL.definitions if isinstance(d, ast.InputObjectTypeDefinitionNode) and d.name.value == type_name
    )
    return {f.name.value: subject if f.name.value == "personId" else "" for f in definition.fields or ()}


def _document(rule: PrintedField, subject: str) -> tuple[str, dict[str, Any], list[str]]:
    """A document that reaches the field for `subject`, its variables, and the field's path."""
    arguments, variables, declared = [], {}, []
    for index, argument in enumerate(rule.field.arguments or ()):
        if not isinstance(argument.type, ast.NonNullTypeNode):
            continue
        name, type_name = argument.name.value, _named_type(argument.type)
        value: Any = subject if name == "personId" else "th-none"
        if type_name not in ("ID", "String"):
            value = _input_value(type_name, subject)
        variables[f"a{index}"] = value
        declared.append(f"$a{index}: {graphql.print_ast(argument.type)}")
        arguments.append(f"{name}: $a{index}")
    call = f"{rule.name}({', '.join(arguments)})" if arguments else rule.name
    field_type = _named_type(rule.field.type)
    selection = "" if field_type in ("String", "Int", "Boolean", "ID") else " { __typename }"
    if rule.type_name == "Person":
        return (
            f"query($subject: ID!{''.join(', ' + d for d in declared)}) "
            f"{{ person(id: $subject) {{ {call}{selection} }} }}",
            {"subject": subject, **variables},
            ["person", rule.name],
        )
    operation = rule.type_name.lower()
    signature = f"({', '.join(declared)})" if declared else ""
    return f"{operation}{signature} {{ {call}{selection} }}", variables, [rule.name]


def _refusals_at(body: dict[str, Any], path: list[str]) -> list[str | None]:
    return [
        (e.get("extensions") or {}).get("reason") or (e.get("extensions") or {}).get("code")
        for e in body.get("errors") or ()
        if e.get("path") == path
    ]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.label)
async def test_every_printed_rule_holds_for_queries_and_mutations(stack: Stack, pair: Pair) -> None:
    token = await stack.client.token(pair.viewer)
    for rule in RULES:
        if rule.type_name == "Subscription":
            continue
        document, variables, path = _document(rule, pair.subject)
        body = await stack.client.execute(document, variables, token=token)
        refusals = _refusals_at(body, path)
        expected = expected_refusal(rule, pair)
        if expected is None:
            assert refusals == [], f"{rule} refused {pair.label}: {body.get('errors')}"
        else:
            assert refusals == [expected], f"{rule} for {pair.label}: {body}"
            leaf: Any = body["data"]
            for step in path:
                leaf = None if leaf is None else leaf[step]
            assert leaf is None


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.label)
async def test_every_printed_rule_holds_for_the_subscription(stack: Stack, pair: Pair) -> None:
    token = await stack.client.token(pair.viewer)
    for rule in RULES:
        if rule.type_name != "Subscription":
            continue
        document, _, _ = _document(rule, pair.subject)
        # The subscription's one argument is the subject; LiveSubscription names it $p.
        document = document.replace("$a0", "$p")
        live = await LiveSubscription.open(stack.client.http, stack.client.url, token, pair.subject, query=document)
        try:
            await live.started(stack.shared.events.wait_for_subscribers(pair.subject))  # type: ignore[attr-defined]
            expected = expected_refusal(rule, pair)
            if expected is None:
                # Subscribed to the subject's events: the gate let the stream start. A ping's pong comes
                # after anything the server had sent before it, so no refusal is on its way.
                await live.ping()
                assert (await live.next())["type"] == "pong"
            else:
                refusal = await live.next()
                assert refusal["type"] == "next", refusal
                # An error that ends a stream comes without a path (graphql-core raises it from the source stream).
                errors = refusal["payload"]["errors"]
                assert [e["extensions"].get("reason") for e in errors] == [expected], refusal
                assert refusal["payload"]["data"] is None
                assert (await live.next())["type"] == "complete"
        finally:
            await live.close()


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.label)
async def test_every_printed_self_only_rule_holds(stack: Stack, pair: Pair) -> None:
    token = await stack.client.token(pair.viewer)
    for field in SELF_ONLY:
        document, variables, path = _document(field, pair.subject)
        body = await stack.client.execute(document, variables, token=token)
        expected = [] if pair.basis == "SELF" else ["NO_RELATION"]
        assert _refusals_at(body, path) == expected, f"{field} for {pair.label}: {body}"


async def test_a_service_client_is_refused_every_self_only_field(stack: Stack) -> None:
    token = await stack.client.service_token()
    for field in SELF_ONLY:
        document, variables, path = _document(field, KARI)
        body = await stack.client.execute(document, variables, token=token)
        assert _refusals_at(body, path) == ["SERVICE_SCOPE"], f"{field}: {body}"
        assert body["data"] == {"person": {field.name: None}}
