"""How a value that is neither null nor an error completes, by its type: made once per type when the
plan is made (`Completers`, the `CompleterFactory` the compiler is given), where graphql-core's
`complete_value` asks the type on every value.

- a list: its items (lists.py), or its first items and a stream of the others (stream.py);
- a scalar or an enum: its serializer, whose null is an error with graphql-core's message;
- an object: its plan, after its type's `is_type_of` if it has one (`_checked_object`);
- an abstract type: the type its resolver names, checked with graphql-core's messages
  (`_runtime_type`), then that type's plan.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLAbstractType, GraphQLError, GraphQLList, GraphQLObjectType
from graphql.pyutils import Path, Undefined, inspect, is_iterable

from gateway.engine.compiler import CompleterFactory
from gateway.engine.executor import PlanExecutor
from gateway.engine.null_propagation import Complete
from gateway.engine.plan import FieldStep, ObjectPlan, StreamedList


class Completers(CompleterFactory):
    """graphql-core's `complete_value` for a value that is neither null nor an error, specialised per
    type when the plan is made."""

    def list(
        self,
        step: FieldStep,
        list_type: GraphQLList[Any],
        inner: Complete[PlanExecutor],
        inner_null: str | None,
        streamed: StreamedList | None = None,
    ) -> Complete[PlanExecutor]:
        message = f"Expected Iterable, but did not find one for field '{step.parent_type.name}.{step.name}'."

        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            if executor.is_async_iterable(value):
                raise TypeError("The plan engine completes no async iterable outside a subscription's root.")
            if not is_iterable(value):
                raise GraphQLError(message)
            if streamed is not None:
                return executor.complete_streamed_items(step, path, value, inner, inner_null, streamed)
            return executor.complete_items(step, path, value, inner, inner_null)

        return complete

    def leaf(self, leaf_type: Any) -> Complete[PlanExecutor]:
        serialize = leaf_type.coerce_output_value

        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            coerced = serialize(value)
            if coerced is Undefined or coerced is None:
                raise TypeError(
                    f"Expected `{inspect(leaf_type)}.coerce_output_value({inspect(value)})`"
                    f" to return non-nullable value, returned: {inspect(coerced)}"
                )
            return coerced

        return complete

    def object(self, step: FieldStep, plan: ObjectPlan) -> Complete[PlanExecutor]:
        if plan.type.is_type_of is not None:

            def checked(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
                return _checked_object(executor, step, path, value, plan)

            return checked

        if plan.defers is not None:

            def deferring(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
                return executor.execute_object(plan, value, path)

            return deferring

        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            return executor.execute_plan(plan, value, path)

        return complete

    def abstract(
        self, step: FieldStep, abstract_type: GraphQLAbstractType, plans: dict[str, ObjectPlan]
    ) -> Complete[PlanExecutor]:
        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            info = executor.info(step, path)
            resolve_type = abstract_type.resolve_type or executor.type_resolver
            runtime_type = resolve_type(value, info, abstract_type)
            if executor.is_awaitable(runtime_type):

                async def await_runtime_type() -> Any:
                    checked = _runtime_type(executor, await runtime_type, abstract_type, step, value)
                    completed = _checked_object(executor, step, path, value, plans[checked.name])
                    return await completed if executor.is_awaitable(completed) else completed

                return await_runtime_type()
            checked = _runtime_type(executor, runtime_type, abstract_type, step, value)
            return _checked_object(executor, step, path, value, plans[checked.name])

        return complete


def _checked_object(executor: PlanExecutor, step: FieldStep, path: Path, value: Any, plan: ObjectPlan) -> Any:
    """graphql-core's `complete_object_value`: the type's `is_type_of` check, if it has one, then its fields."""
    is_type_of = plan.type.is_type_of
    if is_type_of is None:
        return executor.execute_object(plan, value, path)
    verdict = is_type_of(value, executor.info(step, path))
    if executor.is_awaitable(verdict):

        async def checked() -> Any:
            if not await verdict:
                raise _invalid_return_type(plan.type, value, step)
            completed = executor.execute_object(plan, value, path)
            return await completed if executor.is_awaitable(completed) else completed

        return checked()
    if not verdict:
        raise _invalid_return_type(plan.type, value, step)
    return executor.execute_object(plan, value, path)


def _invalid_return_type(object_type: GraphQLObjectType, value: Any, step: FieldStep) -> GraphQLError:
    return GraphQLError(f"Expected value of type '{object_type.name}' but got: {inspect(value)}.", step.nodes)


def _runtime_type(
    executor: PlanExecutor, name: Any, abstract_type: GraphQLAbstractType, step: FieldStep, value: Any
) -> GraphQLObjectType:
    """graphql-core's check of the type an abstract type's resolver named, with its messages."""
    field = f"{step.parent_type.name}.{step.name}"
    if name is None:
        raise GraphQLError(
            f"Abstract type '{abstract_type}' must resolve to an Object type at runtime for field '{field}'."
            f" Either the '{abstract_type}' type should provide a 'resolve_type' function"
            " or each possible type should provide an 'is_type_of' function.",
            step.nodes,
        )
    if not isinstance(name, str):
        raise GraphQLError(
            f"Abstract type '{abstract_type}' must resolve to an Object type at runtime for field '{field}'"
            f" with value {inspect(value)}, received '{inspect(name)}', which is not a valid Object type name.",
            step.nodes,
        )
    runtime_type = executor.schema.get_type(name)
    if runtime_type is None:
        raise GraphQLError(
            f"Abstract type '{abstract_type}' was resolved to a type '{name}' that does not exist inside the schema.",
            step.nodes,
        )
    if not isinstance(runtime_type, GraphQLObjectType):
        raise GraphQLError(f"Abstract type '{abstract_type}' was resolved to a non-object type '{name}'.", step.nodes)
    if not executor.schema.is_sub_type(abstract_type, runtime_type):
        raise GraphQLError(
            f"Runtime Object type '{runtime_type}' is not a possible type for '{abstract_type}'.", step.nodes
        )
    return runtime_type
