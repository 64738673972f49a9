"""The plans a schema keeps: each operation's plans, made on first use, least recently used out first.

Keyed by the operation's syntax-tree node (the document cache, schema/documents.py, gives the same
node for the same query text), with a plan for each combination of the values of the variables that
@skip, @include, @defer and @stream read, and plans of their own for a client that reads an answer
in parts.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, VariableNode
from graphql.execution import VariableValues
from graphql.language import Visitor, visit

from gateway.engine.compiler import Compiler, CompleterFactory
from gateway.engine.field_collection import fragments_of, operations_of
from gateway.engine.incremental_compiler import IncrementalCompiler
from gateway.engine.plan import Plan

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
