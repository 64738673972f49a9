"""Compiling an operation into a plan: for every selection set, on every object type it can meet, the
`FieldStep`s that execute it.

Each step holds the field's definition, its arguments when they are literals, how its resolver is
called (resolver_calls.py) and how its value completes (the completion of its type, which the
executor's side makes: `CompleterFactory`, completers.py). @skip and @include are applied when the
plan is made; an operation whose conditions depend on variables gets one plan per combination of
their values (plan_cache.py). `Compiler` ignores @defer and @stream: everything comes in one answer
(`IncrementalCompiler`, incremental_compiler.py, applies them). Introspection (`__schema`,
`__type`) has no plan: graphql-core executes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
)
from graphql.execution import VariableValues
from graphql.execution.collect_fields import FieldDetails

from gateway.engine.field_collection import FieldCollector, without_incremental
from gateway.engine.plan import FieldStep, ObjectPlan, Plan, StreamedList
from gateway.engine.resolver_calls import direct_resolver, literal_arguments
from gateway.engine.selection import PathShape, Selection, merged

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})

# graphql-core's own scalars whose serializer returns a value of this exact Python type as it is.
SPECIFIED_SCALARS = (GraphQLString, GraphQLID, GraphQLBoolean)
UNCHANGED: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


class Compiler:
    """Compiles one operation for one set of variable values (those @skip/@include read)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        completers: CompleterFactory,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.collector = FieldCollector(schema, fragments, variables)
        self.completers = completers
        self.selections: dict[PathShape, Selection] = {}

    def compile(self, operation: OperationDefinitionNode) -> Plan:
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            return Plan(operation, None)
        grouped = self.collector.collect(root_type, [operation.selection_set])
        if any(nodes[0].name.value in INTROSPECTION_ROOTS for nodes in grouped.values()):
            return Plan(operation, None, whole=without_incremental(operation, self.fragments))
        root, _ = self._object(root_type, grouped, ())
        return Plan(operation, root, self.selections)

    def _nodes(self, entries: list[Any]) -> tuple[list[FieldNode], list[FieldDetails] | None]:
        """A collected field's nodes, and (incremental plans) their details."""
        return entries, None

    def _object(
        self, object_type: GraphQLObjectType, grouped: Mapping[str, list[Any]], shape: PathShape
    ) -> tuple[ObjectPlan, Selection]:
        steps: list[FieldStep] = []
        selected: dict[str, list[Selection]] = {}
        for key, entries in grouped.items():
            nodes, details = self._nodes(entries)
            name = nodes[0].name.value
            definition = self.schema.get_field(object_type, name)
            if definition is None:
                continue  # as graphql-core: a field the type lacks is left out (validation refuses it)
            step = FieldStep(key, object_type, definition, nodes, literal_arguments(definition, nodes[0]))
            step.details = details
            if name == "__typename":
                step.typename = object_type.name
            else:
                step.read, step.call = direct_resolver(definition)
            step.complete, step.null_message, below = self._completion(
                step, definition.type, (*shape, (key, object_type.name))
            )
            if step.read is not None and step.arguments == {}:
                leaf = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
                if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                    step.serialize = leaf.coerce_output_value
                    step.unchanged = UNCHANGED.get(leaf.name) if leaf in SPECIFIED_SCALARS else None
            steps.append(step)
            selected.setdefault(name, []).append(below)
        return ObjectPlan(object_type, steps), Selection({name: merged(parts) for name, parts in selected.items()})

    def _completion(
        self, step: FieldStep, return_type: GraphQLOutputType, shape: PathShape, outer: bool = True
    ) -> tuple[Any, str | None, Selection]:
        """How a value of `return_type` completes, the error a null is if the type is non-null, and what
        the value selects below. `outer`: the field's own type, not an item type within it."""
        factory = self.completers
        if isinstance(return_type, GraphQLNonNull):
            inner, _, below = self._completion(step, return_type.of_type, shape, outer)
            return inner, f"Cannot return null for non-nullable field {step.parent_type.name}.{step.name}.", below
        if isinstance(return_type, GraphQLList):
            inner, inner_null, below = self._completion(step, return_type.of_type, shape, False)
            streamed = self._streamed(step, return_type, shape) if outer else None
            return factory.list(step, return_type, inner, inner_null, streamed), None, below
        if isinstance(return_type, GraphQLScalarType | GraphQLEnumType):
            return factory.leaf(return_type), None, Selection()
        if isinstance(return_type, GraphQLObjectType):
            plan, below = self._below(step, return_type, shape)
            self.selections[shape] = below
            return factory.object(step, plan), None, below
        assert isinstance(return_type, GraphQLAbstractType)
        plans: dict[str, ObjectPlan] = {}
        parts: dict[str, Selection] = {}
        for possible in self.schema.get_possible_types(return_type):
            plan, below = self._below(step, possible, shape)
            plans[possible.name] = plan
            parts[possible.name] = below
        selection = Selection(merged(parts.values()), by_type=parts)
        self.selections[shape] = selection
        return factory.abstract(step, return_type, plans), None, selection

    def _below(self, step: FieldStep, object_type: GraphQLObjectType, shape: PathShape) -> tuple[ObjectPlan, Selection]:
        """The plan of what the step selects on a value of `object_type`."""
        selection_sets = [node.selection_set for node in step.nodes if node.selection_set is not None]
        return self._object(object_type, self.collector.collect(object_type, selection_sets), shape)

    def _streamed(self, step: FieldStep, list_type: GraphQLList[Any], shape: PathShape) -> StreamedList | None:
        return None  # @stream is ignored outside incremental plans


class CompleterFactory:
    """What the executor gives the compiler: the completion of each kind of type (completers.py), for a
    value that is neither null nor an error (the executor deals with those first, as graphql-core does)."""

    def list(
        self,
        step: FieldStep,
        list_type: GraphQLList[Any],
        inner: Any,
        inner_null: str | None,
        streamed: StreamedList | None = None,
    ) -> Any:
        raise NotImplementedError

    def leaf(self, leaf_type: GraphQLScalarType | GraphQLEnumType) -> Any:
        raise NotImplementedError

    def object(self, step: FieldStep, plan: ObjectPlan) -> Any:
        raise NotImplementedError

    def abstract(self, step: FieldStep, abstract_type: GraphQLAbstractType, plans: dict[str, ObjectPlan]) -> Any:
        raise NotImplementedError
