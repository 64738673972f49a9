"""Compiling an operation for a client that reads incremental delivery: @defer and @stream apply.

Its plan is made with graphql-core's own field collection (`collect_fields`, which notes the @defer
each field comes from) and `build_execution_plan`, which splits each selection set into the fields
sent at once and the deferred groups, as graphql-core's `IncrementalExecutor` splits it on every
request; a list field with @stream completes its first `initialCount` items and streams the rest.
For any other client, @defer and @stream are ignored (compiler.py): everything comes in one answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from graphql import FieldNode, GraphQLList, GraphQLObjectType, OperationDefinitionNode
from graphql.execution import get_directive_values
from graphql.execution.collect_fields import (
    DeferUsage,
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.incremental.build_execution_plan import DeferUsageSet, build_execution_plan
from graphql.execution.incremental.incremental_executor import should_defer
from graphql.type import GraphQLStreamDirective

from gateway.engine.compiler import INTROSPECTION_ROOTS, Compiler
from gateway.engine.plan import DeferredGroup, Defers, FieldStep, ObjectPlan, Plan, StreamedList
from gateway.engine.selection import PathShape, Selection, merged


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
