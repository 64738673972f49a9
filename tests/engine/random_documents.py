"""Random valid GraphQL documents over the gateway's whole schema, for differential tests.

Each document is one operation (a query, or a mutation when asked) over `viewer`, `person(id:)` and
`_entities(representations:)`, nested down to MAX_DEPTH levels of fields, with arguments (literals
and variables, with and without defaults, now and then out of range or garbage), aliases, named and
inline fragments, `@skip`/`@include` and `__typename`. Every document passes graphql-core's standard
validation rules; the generator keeps them valid by construction:

- one response key on one parent type always means the same field with the same arguments, in the
  whole document (so two selections that merge always can), and a fresh alias is unique;
- in a document with `_entities`, a response key on Person, HealthContact and Appointment has one
  type (the three merge under `_Entity`: `name` is a PersonName! on Person but a String! on
  HealthContact, so one of them gets an alias);
- fragments are made where they are first spread and reused only where their depth still fits, and
  a fragment spreads only fragments finished before it (no cycles, none unused).

The few documents that fail validation anyway are dropped and made again (counted in _Stats), and
most of those over the gateway's cost or alias limit are made again too (a few are kept on purpose).

    .venv/bin/python -m tests.engine.random_documents    # five documents, then _check()
"""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import graphql
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_leaf_type,
)

from sandbox.seed import PERSONAS

# Depth of the deepest field, root fields at 1 (the gateway's limit, settings.max_query_depth, is 12).
MAX_DEPTH = 7
# About the most fields one document selects (a selection set is never empty, so a few more at most).
MAX_FIELDS = 60

# The demo personas of the README.
DEMO_PERSON_IDS = PERSONAS
UNKNOWN_PERSON_IDS = ("00000000000", "99999999999", "not-a-fnr")
THREAD_IDS = (
    "th-emma-dialog",
    "th-ingrid-dialog",
    "th-jonas-dialog-parent",
    "th-jonas-kommune",
    "th-ola-fullmakt",
    "th-nora-dialog",
    "th-sofie-timeavtale",
    "th-nope",
    "",
)
CONTACT_IDS = ("ct-kari-gp", "ct-kari-hospital", "ct-jonas-gp", "ct-ola-gp-former", "ct-emma-gp", "careteam-1")
APPOINTMENT_IDS = ("ap-kari-hospital-1", "ap-kari-gp-2", "ap-ola-home-1", "ap-emma-gp-1", "appt-x")
DATETIMES = (
    "2020-01-01T00:00:00+00:00",
    "2024-06-01T08:30:00Z",
    "2025-01-01T00:00:00+01:00",
    "2026-03-15T12:00:00.000+00:00",
    "2030-12-31T23:59:59Z",
    "1999-12-31T23:00:00-05:00",
)


def _b64(parts: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


GARBAGE_CURSORS = (
    "garbage",
    "",
    "not a cursor!",
    "bm9wZQ",
    _b64(["thread", "2024-01-01T00:00:00.000000Z", "th-x"]),
    _b64(["message", "x"]),
    _b64(["appointment"]),
)
TEXTS = ("Hei", "Takk for sist.", "", "Spørsmål om timen", "x" * 201)

# How often an optional argument is left out.
OMIT = {"first": 0.25, "after": 0.7, "category": 0.6, "archived": 0.6, "from": 0.6, "to": 0.6, "includeFormer": 0.5}
CONNECTION_FIELDS = {"edges": 3.0, "nodes": 3.0, "pageInfo": 2.0, "totalCount": 2.0, "hiddenCount": 1.0}
ROOT_FIELDS = {"viewer": 3.0, "person": 4.0, "_entities": 3.0, "_service": 0.1}


@dataclass(frozen=True)
class GeneratedDocument:
    text: str  # the document: one operation, a query or (when asked) a mutation, and its fragments
    variables: dict[str, Any]
    operation_name: str | None


class _Enum(str):
    """An enum value: a bare name in a literal, a string in variables."""


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Enum):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return "{" + ", ".join(f"{key}: {_literal(item)}" for key, item in value.items()) + "}"


def _plain(value: Any) -> Any:
    if isinstance(value, _Enum):
        return str(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass
class _Fragment:
    name: str
    on: str
    height: int  # how many field levels it reaches, counted from its own selections (1: only leaves)


@dataclass
class _Stats:
    attempts: int = 0
    invalid: int = 0
    over_limit: int = 0  # valid, over the cost or alias limit, and made again
    kept_over_limit: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


class _Document:
    """The state of one document being made."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rng: random.Random,
        person_ids: Sequence[str],
        index: int,
        entities: bool,
        incremental: bool = False,
    ) -> None:
        self.incremental = incremental  # with @defer on fragments and @stream on lists
        self.schema = schema
        self.rng = rng
        self.person_ids = list(person_ids) or list(DEMO_PERSON_IDS)
        self.index = index
        self.entities = entities  # whether the document has `_entities` (keys on entity types keep one type)
        entity_union = schema.get_type("_Entity")
        assert isinstance(entity_union, GraphQLUnionType)
        self.entity_union = entity_union
        self.entity_types = {member.name for member in entity_union.types}
        self.budget = rng.randint(4, MAX_FIELDS - 8)
        self.names: Counter[str] = Counter()
        self.variable_definitions: list[str] = []
        self.variables: dict[str, Any] = {}
        self.boolean_variables: list[str] = []
        self.fragments: list[_Fragment] = []
        self.fragment_texts: list[str] = []
        # (parent type, response key) -> (field name, arguments text)
        self.keys: dict[tuple[str, str], tuple[str, str]] = {}
        # response key on an entity type -> its type, in a document with `_entities`
        self.entity_shapes: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        self.names[base] += 1
        count = self.names[base]
        return base if count == 1 else f"{base}{count}"

    # -- values ---------------------------------------------------------------------------------

    def first(self) -> int:
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice((0, 101, 0, 101, -1))
        if r < 0.65:
            return self.rng.randint(1, 5)
        if r < 0.9:
            return self.rng.randint(6, 30)
        return self.rng.randint(31, 100)

    def representation(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.03:  # bad input: the gateway answers with an error for this entity
            return rng.choice(
                (
                    {"id": rng.choice(self.person_ids)},
                    {"__typename": "Thread", "id": "th-emma-dialog"},
                    {"__typename": "Person"},
                    {"__typename": "Person", "id": 12848510058},
                )
            )
        typename = rng.choice(("Person", "Person", "Person", "HealthContact", "HealthContact", "Appointment"))
        if typename == "Person":
            pool: Sequence[str] = self.person_ids if rng.random() < 0.9 else UNKNOWN_PERSON_IDS
        elif typename == "HealthContact":
            pool = CONTACT_IDS if rng.random() < 0.85 else self.person_ids
        else:
            pool = APPOINTMENT_IDS if rng.random() < 0.85 else self.person_ids
        return {"__typename": typename, "id": rng.choice(pool)}

    def sample(self, where: str, name: str, graphql_type: GraphQLInputType) -> Any:
        """A Python value for an argument or input field `name` of `where`."""
        rng = self.rng
        if not isinstance(graphql_type, GraphQLNonNull) and rng.random() < 0.05:
            return None
        inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
        if isinstance(inner, GraphQLList):
            if name == "representations":
                return [self.representation() for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
            return [self.sample(where, name, inner.of_type) for _ in range(rng.randint(0, 3))]
        if isinstance(inner, GraphQLInputObjectType):
            return {key: self.sample(inner.name, key, value.type) for key, value in inner.fields.items()}
        if isinstance(inner, GraphQLEnumType):
            return _Enum(rng.choice(list(inner.values)))
        if name == "first":
            return self.first()
        if name == "after":
            return rng.choice(GARBAGE_CURSORS)
        if name in ("from", "to"):
            return rng.choice(DATETIMES)
        if (where, name) == ("person", "id") or name == "personId":
            return rng.choice(self.person_ids) if rng.random() < 0.9 else rng.choice(UNKNOWN_PERSON_IDS)
        if (where, name) == ("thread", "id") or name == "threadId":
            return rng.choice(THREAD_IDS)
        if name == "contactId":
            return rng.choice(CONTACT_IDS)
        if name == "idempotencyKey":
            return f"key-{self.index}-{rng.randrange(1000)}"
        named = inner.name
        if named == "Boolean":
            return rng.random() < 0.5
        if named == "Int":
            return rng.randint(0, 10)
        if named == "DateTime":
            return rng.choice(DATETIMES)
        if named == "Date":
            return rng.choice(("2020-01-01", "1985-04-12"))
        return rng.choice(TEXTS)

    def variable(self, name: str, graphql_type: GraphQLInputType, make: Callable[[], Any]) -> str:
        """A new variable for a value of `graphql_type` (declared nullable or not, with a default or not)."""
        rng = self.rng
        variable = self.fresh(name)
        declared: GraphQLInputType = graphql_type
        non_null = isinstance(graphql_type, GraphQLNonNull)
        if isinstance(graphql_type, GraphQLNonNull) and rng.random() < 0.1:
            declared = graphql_type.of_type  # nullable with a default is allowed where non-null is wanted
            default: Any = make()
            while default is None:
                default = make()
            has_default = True
        elif not isinstance(graphql_type, GraphQLNonNull) and rng.random() < 0.15:
            declared = GraphQLNonNull(graphql_type)
            has_default = False
        else:
            has_default = rng.random() < (0.15 if non_null else 0.35)
            default = make() if has_default else None
        definition = f"${variable}: {declared}"
        if has_default:
            definition += f" = {_literal(default)}"
        self.variable_definitions.append(definition)
        if isinstance(declared, GraphQLNonNull) and not has_default:
            provide = True
        else:
            provide = rng.random() < (0.5 if has_default else 0.85)
        if provide:
            value = make()
            while value is None and isinstance(declared, GraphQLNonNull):
                value = make()
            self.variables[variable] = _plain(value)
        return f"${variable}"

    def value(self, where: str, name: str, graphql_type: GraphQLInputType, variables: bool = True) -> str:
        """The text of a value: a variable, a literal, or an input object literal with variables inside."""
        rng = self.rng
        named = get_named_type(graphql_type)
        if variables and rng.random() < 0.35:
            return self.variable(name, graphql_type, lambda: self.sample(where, name, graphql_type))
        if isinstance(named, GraphQLInputObjectType) and not isinstance(
            graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type, GraphQLList
        ):
            if not isinstance(graphql_type, GraphQLNonNull) and rng.random() < 0.05:
                return "null"
            parts = [f"{key}: {self.value(named.name, key, item.type)}" for key, item in named.fields.items()]
            return "{" + ", ".join(parts) + "}"
        return _literal(self.sample(where, name, graphql_type))

    def arguments(self, name: str, definition: GraphQLField) -> str:
        parts = []
        for argument_name, argument in definition.args.items():
            required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
            if not required and self.rng.random() < OMIT.get(argument_name, 0.5):
                continue
            parts.append(f"{argument_name}: {self.value(name, argument_name, argument.type)}")
        if len(parts) > 1 and self.rng.random() < 0.2:
            self.rng.shuffle(parts)
        return f"({', '.join(parts)})" if parts else ""

    def condition(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return rng.choice(("true", "false", "false"))
        if self.boolean_variables and r < 0.6:
            return rng.choice(self.boolean_variables)
        boolean = self.schema.get_type("Boolean")
        assert isinstance(boolean, graphql.GraphQLScalarType)
        variable = self.variable("show", GraphQLNonNull(boolean), lambda: rng.random() < 0.6)
        self.boolean_variables.append(variable)
        return variable

    def defer(self) -> str:
        """Now and then @defer on a fragment (incremental documents only), labelled or not, maybe with `if`."""
        rng = self.rng
        if not self.incremental or rng.random() > 0.35:
            return ""
        arguments = []
        if rng.random() < 0.5:
            arguments.append(f'label: "{self.fresh("later")}"')
        if rng.random() < 0.2:
            arguments.append(f"if: {self.condition()}")
        return f" @defer({', '.join(arguments)})" if arguments else " @defer"

    def stream(self, parent: GraphQLObjectType, name: str) -> str:
        """Now and then @stream on a list field (incremental documents only)."""
        rng = self.rng
        field_type = parent.fields[name].type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        if not self.incremental or not isinstance(field_type, graphql.GraphQLList) or rng.random() > 0.4:
            return ""
        arguments = [f"initialCount: {rng.choice((0, 1, 1, 2, 3))}"]
        if rng.random() < 0.3:
            arguments.append(f'label: "{self.fresh("streamed")}"')
        return f" @stream({', '.join(arguments)})"

    def directives(self) -> str:
        rng = self.rng
        if rng.random() > 0.1:
            return ""
        kinds = rng.choice((("skip",), ("include",), ("include",), ("skip", "include")))
        return "".join(f" @{kind}(if: {self.condition()})" for kind in kinds)

    # -- selections -----------------------------------------------------------------------------

    def selection_count(self) -> int:
        return max(1, min(self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5)), self.budget))

    def selections(self, parent: GraphQLObjectType | GraphQLUnionType, depth: int) -> tuple[str, int]:
        """A selection set on `parent` whose fields are at `depth`; and the depth of its deepest field."""
        if isinstance(parent, GraphQLUnionType):
            return self.union_selections(parent, depth)
        return self.object_selections(parent, depth)

    def object_selections(self, parent: GraphQLObjectType, depth: int, force: str | None = None) -> tuple[str, int]:
        rng = self.rng
        items: list[str] = []
        height = depth
        seen: set[str] = set()
        for position in range(self.selection_count()):
            r = rng.random()
            made: tuple[str, int] | None
            if force is not None and position == 0:
                made = self.field(parent, depth, seen, force)
            elif r < 0.06:
                made = self.typename(), depth
            elif r < 0.13:
                made = self.inline_fragment(parent, depth)
            elif r < 0.2:
                made = self.spread((parent.name,), depth)
            else:
                made = self.field(parent, depth, seen)
            if made is not None:
                items.append(made[0])
                height = max(height, made[1])
        if not items:
            items.append(self.typename())
        return "{ " + " ".join(items) + " }", height

    def union_selections(self, parent: GraphQLUnionType, depth: int) -> tuple[str, int]:
        rng = self.rng
        items: list[str] = []
        height = depth
        for _ in range(self.selection_count()):
            r = rng.random()
            if r < 0.2:
                made = self.typename(), depth
            elif r < 0.75:
                member = rng.choice(parent.types)
                text, reached = self.object_selections(member, depth)
                made = f"... on {member.name}{self.directives()} {text}", reached
            elif r < 0.9:
                made = self.spread((parent.name, *(member.name for member in parent.types)), depth)
            else:
                text, reached = self.union_selections(parent, depth)
                on = rng.choice(("", f" on {parent.name}"))
                made = f"...{on}{self.directives()} {text}", reached
            items.append(made[0])
            height = max(height, made[1])
        return "{ " + " ".join(items) + " }", height

    def inline_fragment(self, parent: GraphQLObjectType, depth: int) -> tuple[str, int]:
        rng = self.rng
        r = rng.random()
        if self.entities and parent.name in self.entity_types and r < 0.2:
            text, reached = self.union_selections(self.entity_union, depth)
            return f"... on {self.entity_union.name}{self.directives()} {text}", reached
        on = f" on {parent.name}" if r < 0.6 else ""
        directives = " @include(if: true)" if not on and rng.random() < 0.5 else self.directives()
        text, reached = self.object_selections(parent, depth)
        return f"...{on}{directives}{self.defer()} {text}", reached

    def spread(self, types: Sequence[str], depth: int) -> tuple[str, int]:
        """A spread of a fragment on one of `types`: a finished one that fits here, or a new one."""
        rng = self.rng
        if not self.entities:
            types = [name for name in types if name != self.entity_union.name]
        if self.entities and len(types) == 1 and types[0] in self.entity_types and rng.random() < 0.2:
            types = [types[0], self.entity_union.name]
        fitting = [f for f in self.fragments if f.on in types and depth + f.height - 1 <= MAX_DEPTH]
        if fitting and rng.random() < 0.6:
            fragment = rng.choice(fitting)
        else:
            on = rng.choice(list(types))
            parent = self.schema.get_type(on)
            assert isinstance(parent, GraphQLObjectType | GraphQLUnionType)
            name = self.fresh(f"{on.lstrip('_')}Parts")
            text, reached = self.selections(parent, depth)
            fragment = _Fragment(name, on, reached - depth + 1)
            self.fragments.append(fragment)
            self.fragment_texts.append(f"fragment {name} on {on} {text}")
        return f"...{fragment.name}{self.directives()}{self.defer()}", depth + fragment.height - 1

    def typename(self) -> str:
        self.budget -= 1
        return "__typename" + self.directives()

    def field_weight(self, parent: GraphQLObjectType, name: str, definition: GraphQLField, depth: int) -> float:
        if parent is self.schema.query_type:
            if name == "_entities" and not self.entities:
                return 0.0
            return ROOT_FIELDS.get(name, 1.0)
        if parent.name.endswith("Connection"):
            return CONNECTION_FIELDS.get(name, 1.0)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 2.0
        weight = 3.0 if named.name.endswith("Connection") else 2.0
        return weight / 2 if depth >= 5 else weight

    def field(
        self, parent: GraphQLObjectType, depth: int, seen: set[str], force: str | None = None
    ) -> tuple[str, int] | None:
        rng = self.rng
        composite_ok = depth < MAX_DEPTH and self.budget > 0
        candidates = [
            (name, definition)
            for name, definition in parent.fields.items()
            if composite_ok or is_leaf_type(get_named_type(definition.type))
        ]
        if not candidates:
            return None
        # Now and then the same aliased field again (same key, same arguments), to merge with the first.
        aliased = [
            (key, entry)
            for (on, key), entry in self.keys.items()
            if on == parent.name
            and key != entry[0]
            and (composite_ok or is_leaf_type(get_named_type(parent.fields[entry[0]].type)))
        ]
        if force is None and aliased and rng.random() < 0.08:
            key, (name, arguments) = rng.choice(aliased)
            return self.emit(parent, depth, name, key, arguments)
        if force is not None:
            name = force
        else:
            weights = [self.field_weight(parent, name, definition, depth) for name, definition in candidates]
            name = rng.choices([name for name, _ in candidates], weights)[0]
        definition = parent.fields[name]
        entry = self.keys.get((parent.name, name))
        alias = rng.random() < (0.25 if definition.args and entry is not None else 0.08)
        if not alias and name in seen and rng.random() < 0.8:
            return None
        key = self.fresh(f"{name.lstrip('_')}A") if alias else name
        if self.entities and parent.name in self.entity_types:
            shape = str(definition.type)
            if self.entity_shapes.setdefault(key, shape) != shape:
                key = self.fresh(f"{name}A")
                self.entity_shapes[key] = shape
        entry = self.keys.get((parent.name, key))
        arguments = entry[1] if entry is not None else self.arguments(name, definition)
        self.keys[(parent.name, key)] = (name, arguments)
        seen.add(key)
        return self.emit(parent, depth, name, key, arguments)

    def emit(self, parent: GraphQLObjectType, depth: int, name: str, key: str, arguments: str) -> tuple[str, int]:
        self.budget -= 1
        alias = f"{key}: " if key != name else ""
        head = f"{alias}{name}{arguments}{self.directives()}{self.stream(parent, name)}"
        named = get_named_type(parent.fields[name].type)
        if is_leaf_type(named):
            return head, depth
        assert isinstance(named, GraphQLObjectType | GraphQLUnionType)
        text, reached = self.selections(named, depth + 1)
        return f"{head} {text}", reached

    # -- the document ---------------------------------------------------------------------------

    def operation(self, mutation: bool) -> tuple[str, str | None]:
        rng = self.rng
        root = self.schema.mutation_type if mutation else self.schema.query_type
        assert root is not None
        body, _ = self.object_selections(root, 1, force="_entities" if self.entities else None)
        kind = "mutation" if mutation else "query"
        name: str | None = None
        if mutation or self.variable_definitions or rng.random() < 0.7:
            if rng.random() < 0.8:
                name = f"{rng.choice(('Inbox', 'Random', 'Deep', 'Mixed', 'Entities'))}{self.index}"
            definitions = f"({', '.join(self.variable_definitions)})" if self.variable_definitions else ""
            head = f"{kind} {name or ''}{definitions} ".replace("  ", " ")
        else:
            head = ""
        operation = head + body
        before = rng.randint(0, len(self.fragment_texts))
        texts = [*self.fragment_texts[:before], operation, *self.fragment_texts[before:]]
        return "\n".join(texts), name


def _alias_count(document: graphql.DocumentNode) -> int:
    count = 0

    class Aliases(graphql.Visitor):
        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            nonlocal count
            if node.alias is not None:
                count += 1

    graphql.visit(document, Aliases())
    return count


def _generate(
    schema: GraphQLSchema, count: int, seed: int, person_ids: Sequence[str], **options: Any
) -> tuple[list[GeneratedDocument], _Stats]:
    """As `random_documents`, with what it took to make them."""
    mutations: float = options.get("mutations", 0.0)
    incremental: bool = options.get("incremental", False)
    from gateway.core.config import Settings
    from gateway.schema.cost import operation_cost

    settings = Settings.model_construct()
    rng = random.Random(seed)
    stats = _Stats()
    documents: list[GeneratedDocument] = []
    while len(documents) < count:
        stats.attempts += 1
        mutation = schema.mutation_type is not None and rng.random() < mutations
        entities = not mutation and rng.random() < 0.35
        state = _Document(schema, rng, person_ids, len(documents), entities, incremental)
        raw, name = state.operation(mutation)
        try:
            document = graphql.parse(raw)
        except graphql.GraphQLError as syntax_error:  # a bug in the generator; counted as invalid
            stats.invalid += 1
            stats.reasons[syntax_error.message[:80]] += 1
            continue
        errors = graphql.validate(schema, document)
        if errors:
            stats.invalid += 1
            for error in errors:
                stats.reasons[error.message[:80]] += 1
            continue
        cost, _ = operation_cost(schema, document, name, state.variables)
        if cost > settings.max_query_cost or _alias_count(document) > settings.max_query_aliases:
            if rng.random() < 0.9:
                stats.over_limit += 1
                continue
            stats.kept_over_limit += 1
        documents.append(GeneratedDocument(graphql.print_ast(document), state.variables, name))
    return documents, stats


def random_documents(
    schema: GraphQLSchema,
    count: int,
    seed: int,
    person_ids: Sequence[str],
    *,
    mutations: float = 0.0,
    incremental: bool = False,
) -> list[GeneratedDocument]:
    """`count` random valid documents over `schema`, the same for the same arguments.

    `person_ids`: the ids of `person(id:)`, Person representations and `personId` inputs (a few
    unknown ones are mixed in). `mutations`: the share of documents that are mutations (none by
    default: they change the upstreams' state). `incremental`: with @defer and @stream here and there."""
    return _generate(schema, count, seed, person_ids, mutations=mutations, incremental=incremental)[0]


def _schema() -> GraphQLSchema:
    from gateway.core.config import Settings
    from gateway.schema import build_schema

    return build_schema(Settings.model_construct())._schema


def _features(document: graphql.DocumentNode) -> set[str]:
    found: set[str] = set()

    class Features(graphql.Visitor):
        def enter_fragment_spread(self, *_: Any) -> None:
            found.add("fragment spread")

        def enter_inline_fragment(self, *_: Any) -> None:
            found.add("inline fragment")

        def enter_field(self, node: graphql.FieldNode, *_: Any) -> None:
            if node.alias is not None:
                found.add("alias")
            if node.name.value in ("__typename", "_entities", "edges", "pageInfo"):
                found.add(node.name.value)

        def enter_directive(self, node: graphql.DirectiveNode, *_: Any) -> None:
            found.add(f"@{node.name.value}")

        def enter_variable_definition(self, node: graphql.VariableDefinitionNode, *_: Any) -> None:
            if node.default_value is not None:
                found.add("variable with a default")

    graphql.visit(document, Features())
    return found


def _check(count: int = 500) -> None:
    """Make `count` documents; each must validate, and together they must use every feature."""
    schema = _schema()
    documents, stats = _generate(schema, count, 0, DEMO_PERSON_IDS)
    assert len(documents) == count
    assert documents[:100] == random_documents(schema, 100, 0, DEMO_PERSON_IDS), "not deterministic"
    seen: Counter[str] = Counter()
    for generated in documents:
        document = graphql.parse(generated.text)
        errors = graphql.validate(schema, document)
        assert not errors, (generated.text, errors)
        assert graphql.get_operation_ast(document, generated.operation_name) is not None
        seen.update(_features(document))
    wanted = (
        "fragment spread",
        "inline fragment",
        "alias",
        "@skip",
        "@include",
        "variable with a default",
        "__typename",
        "_entities",
        "edges",
        "pageInfo",
    )
    missing = [feature for feature in wanted if not seen[feature]]
    assert not missing, missing
    mutations, _ = _generate(schema, 50, 1, DEMO_PERSON_IDS, mutations=1.0)
    assert all(not graphql.validate(schema, graphql.parse(m.text)) for m in mutations)
    first_try = stats.attempts - stats.invalid
    print(
        f"{count} documents: {first_try} of {stats.attempts} attempts valid ({stats.invalid} invalid, "
        f"{stats.over_limit} over a limit and made again, {stats.kept_over_limit} kept over a limit)"
    )
    print("documents using each feature:", ", ".join(f"{feature} {seen[feature]}" for feature in wanted))
    for reason, times in stats.reasons.most_common(5):
        print(f"  invalid x{times}: {reason}")


if __name__ == "__main__":
    for generated in random_documents(_schema(), 5, 2024, DEMO_PERSON_IDS):
        print(f"# operation {generated.operation_name}, variables {json.dumps(generated.variables)}")
        print(generated.text, end="\n\n")
    _check()
