"""What a plan is: a validated operation compiled once into the steps that execute it.

graphql-core works a document out again on every request: for every object it collects the
selection's fields (fragments, @skip/@include), looks each field up in the schema, builds a resolve
info, checks arguments, and completes each value by asking its type what it is. A plan does that
work once per operation (as graphql-jit does for JavaScript): for every selection set, on every
object type it can meet, the list of `FieldStep`s with the field's definition, its arguments when
they are literals, how its resolver is called and how its value is completed.

How a plan is made: compiler.py (incremental_compiler.py for a client that reads @defer and @stream);
the plans a schema keeps: plan_cache.py; what runs them: executor.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, GraphQLField, GraphQLObjectType, OperationDefinitionNode
from graphql.execution.collect_fields import DeferUsage, FieldDetails
from graphql.execution.incremental.build_execution_plan import DeferUsageSet

# Re-exported for gateway/trusted_documents.py (the HTTP edge, being reworked on another branch) until
# it imports `operations_of` from gateway/engine/field_collection.py.
from gateway.engine.field_collection import operations_of as operations_of
from gateway.engine.selection import PathShape, Selection

# A resolver called without an info: (source) for one without arguments, else (source, arguments).
Read = Callable[[Any], Any]
Call = Callable[[Any, dict[str, Any]], Any]


@dataclass(slots=True, eq=False)
class FieldStep:
    """One response key of a selection set, on one object type."""

    key: str
    parent_type: GraphQLObjectType
    definition: GraphQLField
    nodes: list[FieldNode]
    # The coerced arguments when the document gives them as literals; None: coerced per execution.
    arguments: dict[str, Any] | None
    # Exactly one of `typename`, `read`, `call` is set, or none: the field's Strawberry resolver.
    typename: str | None = None
    read: Read | None = None
    call: Call | None = None
    # A leaf read directly: its type's serializer (the value is completed in one step), and the Python
    # type whose values that serializer returns unchanged (str for String and ID, bool for Boolean).
    serialize: Callable[[Any], Any] | None = None
    unchanged: type | None = None
    # How a value other than null completes (completers.py `Completers`), and, for a non-null type, the
    # error a null is (graphql-core's message): set when the step's type is compiled.
    complete: Any = None
    null_message: str | None = None
    # Incremental plans: the fields' nodes with the @defer each comes from (graphql-core's), which the
    # fields below are collected from; used while the plan is made.
    details: list[FieldDetails] | None = None

    @property
    def name(self) -> str:
        return self.nodes[0].name.value


@dataclass(slots=True, eq=False)
class ObjectPlan:
    """The fields to execute on a value of one object type."""

    type: GraphQLObjectType
    steps: list[FieldStep]
    # Incremental plans: the @defer fragments that start on this object, and its deferred fields.
    defers: Defers | None = None


@dataclass(slots=True, eq=False)
class DeferredGroup:
    """Fields of an object sent later, together: those of the same deferred fragments (`usages`)."""

    usages: DeferUsageSet
    plan: ObjectPlan
    # Started at once, not after the step that found it: it belongs to fragments whose own execution
    # is under way (graphql-core's `should_defer`, for early execution).
    now: bool


@dataclass(slots=True, eq=False)
class Defers:
    new: list[DeferUsage]  # the @defer fragments that start here: a delivery group each, per object
    groups: list[DeferredGroup]


@dataclass(slots=True, eq=False)
class StreamedList:
    """A list field with @stream: its first `initial_count` items in the field's part, the others
    streamed, each completed by `inner` (compiled as graphql-core completes streamed items)."""

    label: str | None
    initial_count: int
    inner: Any
    inner_null: str | None


@dataclass(slots=True, eq=False)
class Plan:
    """An operation compiled for one combination of its @skip/@include variables."""

    operation: OperationDefinitionNode
    root: ObjectPlan | None  # None: introspection, executed by graphql-core
    # What each field with a selection selects (`selection.selected`), by its path shape.
    selections: dict[PathShape, Selection] = field(default_factory=dict)
    # Introspection for a client that reads no parts: the operation and fragments graphql-core runs,
    # without @defer and @stream (the document's own when it has none).
    whole: tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]] | None = None
