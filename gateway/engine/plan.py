"""Plans: a validated operation compiled once into the steps that execute it.

graphql-core works a document out again on every request: for every object it collects the
selection's fields (fragments, @skip/@include), looks each field up in the schema, builds a resolve
info, checks arguments, and completes each value by asking its type what it is. A plan does that
work once per operation (as graphql-jit does for JavaScript): for every selection set, on every
object type it can meet, the list of `FieldStep`s with the field's definition, its arguments when
they are literals, how its resolver is called and how its value is completed.

How a resolver is called:
- `__typename` is the parent type's name, a constant;
- a plain field (no field extension, no `info`, scalar arguments only, a synchronous method or an
  attribute) is called directly: `read(source)`, or `call(source, arguments)`;
- every other field (the access-rule gates and masks, async resolvers, `info`, input objects) goes
  through the resolver Strawberry made for it (`GraphQLField.resolve`), as graphql-core would call it.

@skip and @include are applied when the plan is made; an operation whose conditions depend on
variables gets one plan per combination of their values (`Plans`). Introspection (`__schema`,
`__type`) has no plan: graphql-core executes it.

@defer and @stream: an operation has two kinds of plan. For a client that reads incremental
delivery, its plan is made with graphql-core's own field collection (`collect_fields`, which notes
the @defer each field comes from) and `build_execution_plan`, which splits each selection set into
the fields sent at once and the deferred groups, as graphql-core's `IncrementalExecutor` splits it on
every request; a list field with @stream completes its first `initialCount` items and streams the
rest. For any other client, @defer and @stream are ignored: everything comes in one answer.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
    type_from_ast,
)
from graphql.execution import VariableValues, get_argument_values, get_directive_values
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.incremental.build_execution_plan import DeferUsageSet, build_execution_plan
from graphql.execution.incremental.incremental_executor import should_defer
from graphql.language import REMOVE, Visitor, visit
from graphql.type import GraphQLStreamDirective
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from gateway.engine.selection import PathShape, Selection, merged

# A resolver called without an info: (source) for one without arguments, else (source, arguments).
Read = Callable[[Any], Any]
Call = Callable[[Any, dict[str, Any]], Any]

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})

# graphql-core's own scalars whose serializer returns a value of this exact Python type as it is.
SPECIFIED_SCALARS = (GraphQLString, GraphQLID, GraphQLBoolean)
UNCHANGED: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


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
    # How a value other than null completes (executor.py `Completers`), and, for a non-null type, the
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


# --- direct resolvers -----------------------------------------------------------------------------

# Argument types whose coerced GraphQL value is the Python value the resolver expects.
SCALAR_ARGUMENTS: frozenset[object] = frozenset({int, str, bool})


def _scalar(argument_type: object) -> bool:
    if isinstance(argument_type, StrawberryOptional):
        argument_type = argument_type.of_type
    return argument_type in SCALAR_ARGUMENTS


def direct_resolver(definition: GraphQLField) -> tuple[Read | None, Call | None]:
    """How to call the field's resolver without Strawberry's wrapper, or (None, None) when it needs it.

    Strawberry's wrapper builds an `Info`, converts arguments and runs the field's extensions; a
    plain field needs none of it, and is called as Strawberry would call it (the same function,
    the same source, the same arguments)."""
    strawberry_field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(strawberry_field, StrawberryField):
        return None, None
    if strawberry_field.extensions or strawberry_field.is_subscription:
        return None, None
    if not all(_scalar(argument.type) for argument in strawberry_field.arguments):
        return None, None
    resolver = strawberry_field.base_resolver
    if resolver is None:
        return attrgetter(strawberry_field.python_name), None
    function = resolver.wrapped_func
    if resolver.is_async or resolver.self_parameter is None or not inspect.isfunction(function):
        return None, None
    if any(p is not None for p in resolver.reserved_parameters.values() if p is not resolver.self_parameter):
        return None, None  # it asks for info, root or parent
    if not strawberry_field.arguments:
        return function, None
    # graphql-core gives coerced arguments under their GraphQL names; the resolver takes them under its own.
    names = {
        argument.graphql_name or to_camel_case(argument.python_name): argument.python_name
        for argument in strawberry_field.arguments
    }

    def call(source: Any, arguments: dict[str, Any]) -> Any:
        return function(source, **{names[name]: value for name, value in arguments.items()})

    return None, call


# --- collecting fields ----------------------------------------------------------------------------


class _Collector:
    """graphql-core's field collection (the spec's CollectFields), done at plan time."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: VariableValues
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def collect(
        self, runtime_type: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()  # as graphql-core: a fragment once per collection
        for selection_set in selection_sets:
            self._visit(runtime_type, selection_set, grouped, visited)
        return grouped

    def _visit(
        self,
        runtime_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection, runtime_type):
                    self._visit(runtime_type, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or not self._applies(fragment, runtime_type) or name in visited:
                    continue
                visited.add(name)
                self._visit(runtime_type, fragment.selection_set, grouped, visited)

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode | Any) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include.get("if") is False)

    def _applies(self, fragment: InlineFragmentNode | FragmentDefinitionNode, runtime_type: GraphQLObjectType) -> bool:
        condition = fragment.type_condition
        if condition is None:
            return True
        conditional_type = type_from_ast(self.schema, condition)
        if conditional_type is runtime_type:
            return True
        return is_abstract_type(conditional_type) and self.schema.is_sub_type(conditional_type, runtime_type)


class _NoIncremental(Visitor):
    def enter_directive(self, node: Any, *_: object) -> Any:
        return REMOVE if node.name.value in ("defer", "stream") else None


def without_incremental(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    """The operation and its fragments without @defer and @stream (their nodes keep their locations; a
    tree without them is given back as it is): what runs for a client that reads no parts."""
    remover = _NoIncremental()
    return visit(operation, remover), {name: visit(fragment, remover) for name, fragment in fragments.items()}


class _UsesVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.found = True


def _literal_arguments(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    """The field's coerced arguments if the document gives no variable among them."""
    if not node.arguments:
        return {} if not definition.args else get_argument_values(definition, node)
    finder = _UsesVariables()
    for argument in node.arguments:
        visit(argument, finder)
    if finder.found:
        return None
    return get_argument_values(definition, node)


# --- compiling ------------------------------------------------------------------------------------


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
        self.collector = _Collector(schema, fragments, variables)
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
            step = FieldStep(key, object_type, definition, nodes, _literal_arguments(definition, nodes[0]))
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


class IncrementalCompiler(Compiler):
    """Compiles an operation for a client that reads incremental delivery: @defer and @stream apply.

    Fields are collected by graphql-core's `collect_fields`, and split by its `build_execution_plan`
    relative to the deferred fragments under way (`_under_way`, as graphql-core's sub-executors hold
    theirs): so the plan sends in each part what graphql-core's executor sends in it."""

    _under_way: DeferUsageSet | None = None

    def compile(self, operation: OperationDefinitionNode) -> Plan:
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            return Plan(operation, None)
        self.operation = operation
        self.fragment_details = {name: FragmentDetails(fragment) for name, fragment in self.fragments.items()}
        collected = collect_fields(self.schema, self.fragment_details, self.variables, root_type, operation)
        grouped = collected.grouped_field_set
        if any(entries[0].node.name.value in INTROSPECTION_ROOTS for entries in grouped.values()):
            return Plan(operation, None)
        root, _ = self._split(root_type, grouped, collected.new_defer_usages, ())
        return Plan(operation, root, self.selections)

    def _nodes(self, entries: list[Any]) -> tuple[list[FieldNode], list[FieldDetails] | None]:
        return [details.node for details in entries], entries

    def _below(self, step: FieldStep, object_type: GraphQLObjectType, shape: PathShape) -> tuple[ObjectPlan, Selection]:
        collected = collect_subfields(
            self.schema, self.fragment_details, self.variables, self.operation, object_type, step.details or []
        )
        return self._split(object_type, collected.grouped_field_set, collected.new_defer_usages, shape)

    def _split(
        self,
        object_type: GraphQLObjectType,
        grouped: Mapping[str, list[FieldDetails]],
        new: list[DeferUsage],
        shape: PathShape,
    ) -> tuple[ObjectPlan, Selection]:
        under_way = self._under_way
        now, later = build_execution_plan(dict(grouped), under_way)
        plan, selection = self._object(object_type, now, shape)
        groups: list[DeferredGroup] = []
        parts = [selection]
        for usages, fields in later.items():
            self._under_way = usages
            try:
                deferred, below = self._object(object_type, fields, shape)
            finally:
                self._under_way = under_way
            groups.append(DeferredGroup(usages, deferred, not should_defer(under_way, usages)))
            parts.append(below)
        if new or groups:
            plan.defers = Defers(list(new), groups)
        # What a resolver sees selected below its field includes what comes later.
        return plan, merged(parts)

    def _streamed(self, step: FieldStep, list_type: GraphQLList[Any], shape: PathShape) -> StreamedList | None:
        stream = get_directive_values(GraphQLStreamDirective, step.nodes[0], self.variables)
        if not stream or stream.get("if") is False:
            return None
        initial_count = stream.get("initialCount")
        # Items past the first ones are completed as graphql-core completes them: collected afresh, outside
        # any deferred fragment.
        streamed_step = replace(step, details=[FieldDetails(node, None) for node in step.nodes])
        under_way, self._under_way = self._under_way, None
        try:
            inner, inner_null, _ = self._completion(streamed_step, list_type.of_type, shape, False)
        finally:
            self._under_way = under_way
        count = initial_count if isinstance(initial_count, int) and initial_count >= 0 else -1
        return StreamedList(stream.get("label"), count, inner, inner_null)


class CompleterFactory:
    """What the executor gives the compiler: the completion of each kind of type (executor.py), for a
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


# --- the plans of a schema ------------------------------------------------------------------------


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


NO_VARIABLES = VariableValues({}, {})


class _Conditions(Visitor):
    """The variables an operation's @skip/@include read (with its fragments'), and its @defer/@stream."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: Any, *_: object) -> None:
        if node.name.value in ("skip", "include", "defer", "stream"):
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.names.add(argument.value.name.value)


def condition_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    finder = _Conditions()
    visit(operation, finder)
    for fragment in fragments.values():
        visit(fragment, finder)
    return tuple(sorted(finder.names))


# The most plans kept for one operation: each combination of its @skip/@include variables is a plan, and
# a document with twenty such variables would otherwise let a client make a million of them.
PLANS_PER_OPERATION = 16

# Marks the key of an incremental plan (no variable value is this object).
_INCREMENTAL = object()


class _Operation:
    __slots__ = ("conditions", "operation", "plans")

    def __init__(self, operation: OperationDefinitionNode, conditions: tuple[str, ...]) -> None:
        self.operation = operation  # kept alive with its plans, so that its id is never reused meanwhile
        self.conditions = conditions
        self.plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()


class Plans:
    """The plans of one schema's operations, each made on first use (least recently used out first).

    One `Plans` serves one schema. Keyed by the operation's syntax tree, which the document cache
    (schema/documents.py) keeps for each distinct query text: the same text finds the same plan."""

    def __init__(self, completers: CompleterFactory, maxsize: int = 512) -> None:
        self.completers = completers
        self.maxsize = maxsize
        self._operations: OrderedDict[int, _Operation] = OrderedDict()

    def plan(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        incremental: bool = False,
    ) -> Plan:
        """The operation's plan for these variables; `incremental`: for a client that reads @defer and
        @stream (else they are ignored)."""
        entry = self._operations.get(id(operation))
        if entry is None or entry.operation is not operation:
            entry = _Operation(operation, condition_variables(operation, fragments))
            self._operations[id(operation)] = entry
            if len(self._operations) > self.maxsize:
                self._operations.popitem(last=False)
        else:
            self._operations.move_to_end(id(operation))
        key = tuple(variables.coerced.get(name) for name in entry.conditions) if entry.conditions else ()
        if incremental:
            key = (*key, _INCREMENTAL)
        plans = entry.plans
        plan = plans.get(key)
        if plan is None:
            compiler = IncrementalCompiler if incremental else Compiler
            plan = compiler(schema, fragments, variables, self.completers).compile(operation)
            plans[key] = plan
            if len(plans) > PLANS_PER_OPERATION:
                plans.popitem(last=False)
        elif len(plans) > 1:
            plans.move_to_end(key)
        return plan

    def prepare(self, schema: GraphQLSchema, document: DocumentNode) -> int:
        """Plans made ahead of use (trusted documents, at start) for each operation of a valid document
        whose @skip/@include read no variable; the others are made on first use. How many were made."""
        fragments = fragments_of(document)
        made = 0
        for operation in operations_of(document):
            if not condition_variables(operation, fragments):
                self.plan(schema, operation, fragments, NO_VARIABLES)
                made += 1
        return made

    def __len__(self) -> int:
        return sum(len(entry.plans) for entry in self._operations.values())
