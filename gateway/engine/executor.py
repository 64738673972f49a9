"""The executor: every query, mutation and subscription event runs its operation's plan.

`PlanExecutor` is the executor class graphql-core's `execute` is given (Strawberry passes it as
the schema's `execution_context_class`). Its `execute_operation`, graphql-core's public entry for
running a built executor, runs the plan of the operation (gateway/engine/plan.py) instead of
interpreting the document. What the plan answers is what graphql-core answers, to the byte: the
same resolvers called with the same values, the same errors at the same paths and locations, the
same null propagation and key order (tests/engine checks this against graphql-core's own executor).
The async structure is graphql-core's too (a coroutine per awaitable field, gathered per object and
per list), so that errors arrive in the same order.

Introspection has no plan and runs through graphql-core (`Plan.root` is None).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLAbstractType,
    GraphQLError,
    GraphQLList,
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    OperationType,
    located_error,
)
from graphql.execution import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.engine.plan import CompleterFactory, FieldStep, ObjectPlan, Plans
from gateway.engine.selection import RUNNING

# Awaitables left behind by a failing field, settled so their errors are seen (graphql-core does the same).
_BACKGROUND: set[asyncio.Future[Any]] = set()


def settle_in_background(awaitables: list[Awaitable[Any]]) -> None:
    future = asyncio.gather(*awaitables, return_exceptions=True)
    _BACKGROUND.add(future)
    future.add_done_callback(_BACKGROUND.discard)


class FieldErrors:
    """The field errors of one execution, with the positions they nulled: an error below a position
    that was nulled already is not reported again (as graphql-core's executor does)."""

    __slots__ = ("_positions", "errors")

    def __init__(self) -> None:
        self.errors: list[GraphQLError] = []
        self._positions: set[Path | None] = set()

    def add(self, error: GraphQLError, path: Path | None) -> None:
        positions = self._positions
        if None in positions:
            return
        at = path
        while at is not None:
            if at in positions:
                return
            at = at.prev
        positions.add(path)
        self.errors.append(error)


# How a value that is neither null nor an error completes: (executor, step, path, value) -> the completed
# value, or an awaitable of it.
Complete = Callable[["PlanExecutor", FieldStep, Path, Any], Any]


def _ended(_: object) -> Any:
    raise RuntimeError("the execution has ended: no more work can join it")


ENDED = GraphQLResolveInfoHelpers(gather=_ended, track=_ended)


class PlanExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs plans; a schema's executor class is made with `using`, bound to the plans it keeps."""

    plans: ClassVar[Plans]
    field_errors: FieldErrors

    @classmethod
    def using(cls, plans: Plans) -> type[PlanExecutor]:
        return type(cls.__name__, (cls,), {"plans": plans})

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            raise TypeError("The plan engine calls resolvers directly: a schema extension may not wrap them.")
        if self.abort_signal is not None or self.hooks is not None:
            raise TypeError("The plan engine supports neither abort signals nor execution hooks.")
        plan = self.plans.plan(self.schema, self.operation, self.fragment_definitions, self.variable_values)
        if plan.root is None:
            return super().execute_operation(serially)
        self.field_errors = FieldErrors()  # a subscription's events each start afresh
        mutation = plan.operation.operation == OperationType.MUTATION
        selections = plan.selections
        token = RUNNING.set(selections)
        try:
            try:
                if mutation if serially is None else serially:
                    data = self._execute_serially(plan.root, self.root_value)
                else:
                    data = self.execute_plan(plan.root, self.root_value, None)
            except GraphQLError as error:
                self.field_errors.add(error, None)
                return self._response(None)
        finally:
            RUNNING.reset(token)
        if not self.is_awaitable(data):
            return self._response(data)
        pending = data

        async def await_result() -> ExecutionResult:
            token = RUNNING.set(selections)
            try:
                completed = await pending
            except GraphQLError as error:
                self.field_errors.add(error, None)
                return self._response(None)
            finally:
                RUNNING.reset(token)
            return self._response(completed)

        return await_result()

    def _response(self, data: dict[str, Any] | None) -> ExecutionResult:
        # graphql-core's helpers for resolvers hold bound methods of the executor, which holds the
        # request's context: a cycle, which kept every request's loaded records until the garbage
        # collector came by (with a cycle in the loaders, since gone: 14 MB at 64 requests in
        # flight). The answer is whole here, and nothing of the plan's uses the helpers after it; a
        # subscription's events each have a copy of their own.
        self.async_helpers = ENDED
        return ExecutionResult(data, self.field_errors.errors or None)

    # --- fields ---------------------------------------------------------------------------------

    def execute_plan(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The fields of `plan` on `source`, concurrently: a dict, or an awaitable of it."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        execute_step = self.execute_step
        type_name = plan.type.name
        awaitable_fields: list[str] = []
        try:
            for step in plan.steps:
                key = step.key
                serialize = step.serialize
                if serialize is not None:
                    # A plain leaf: read and serialized in one step. Whenever that would not give
                    # graphql-core's answer (a null, an error, a value its type refuses), the general
                    # path below reads it again and answers as graphql-core does.
                    try:
                        value = step.read(source)  # type: ignore[misc]
                        if type(value) is step.unchanged:
                            results[key] = value
                            continue
                        if value is not None and not isinstance(value, Exception):
                            value = serialize(value)
                            if value is not None and value is not Undefined:
                                results[key] = value
                                continue
                    except Exception:  # the general path below reads it again and reports the error
                        pass
                elif step.typename is not None:
                    results[key] = step.typename
                    continue
                result = execute_step(step, source, Path(path, key, type_name))
                results[key] = result
                if is_awaitable(result):
                    awaitable_fields.append(key)
        except Exception:
            if awaitable_fields:
                settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                key = awaitable_fields[0]
                results[key] = await results[key]
            else:
                awaited = await gather_with_cancel(*(results[key] for key in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _execute_serially(self, plan: ObjectPlan, source: Any) -> Any:
        """The root fields of a mutation, one after the other."""
        results: dict[str, Any] = {}
        steps = iter(plan.steps)
        for step in steps:
            result = self._root_step(plan, step, source)
            if self.is_awaitable(result):
                return self._continue_serially(plan, source, results, step, result, steps)
            results[step.key] = result
        return results

    async def _continue_serially(
        self,
        plan: ObjectPlan,
        source: Any,
        results: dict[str, Any],
        step: FieldStep,
        pending: Awaitable[Any],
        steps: Iterable[FieldStep],
    ) -> dict[str, Any]:
        results[step.key] = await pending
        for step in steps:
            result = self._root_step(plan, step, source)
            results[step.key] = await result if self.is_awaitable(result) else result
        return results

    def _root_step(self, plan: ObjectPlan, step: FieldStep, source: Any) -> Any:
        if step.typename is not None:
            return step.typename
        return self.execute_step(step, source, Path(None, step.key, plan.type.name))

    def arguments(self, step: FieldStep) -> dict[str, Any]:
        known = step.arguments
        if known is not None:
            return known
        return get_argument_values(step.definition, step.nodes[0], self.variable_values, None, self.hide_suggestions)

    def info(self, step: FieldStep, path: Path) -> Any:
        return self.build_resolve_info(step.definition, step.nodes, step.parent_type, path)

    def resolve_step(self, step: FieldStep, source: Any, path: Path) -> Any:
        """The value of the step's resolver (its raw value, or an awaitable of it)."""
        if step.read is not None:
            return step.read(source)
        arguments = self.arguments(step)
        if step.call is not None:
            return step.call(source, arguments)
        return step.definition.resolve(source, self.info(step, path), **arguments)  # type: ignore[misc]

    def execute_step(self, step: FieldStep, source: Any, path: Path) -> Any:
        """graphql-core's `execute_field` for one step of a plan."""
        try:
            result = self.resolve_step(step, source, path)
            if self.is_awaitable(result):
                return self._complete_awaitable(step, path, result)
            # graphql-core's `complete_value`: an error raises, a null is null or, in a non-null
            # field, an error; any other value completes by its type.
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                if step.null_message is not None:
                    raise TypeError(step.null_message)
                return None
            completed = step.complete(self, step, path, result)
            if self.is_awaitable(completed):
                return self._await_completed(step, path, completed, step.null_message is not None)
        except Exception as raw_error:
            self.handle_step_error(raw_error, step.null_message is not None, step.nodes, path)
            return None
        return completed

    def complete(self, step: FieldStep, complete: Complete, null_message: str | None, path: Path, value: Any) -> Any:
        """`execute_step`'s completion of a value, for the values that arrive later."""
        if isinstance(value, Exception):
            raise value
        if value is None or value is Undefined:
            if null_message is not None:
                raise TypeError(null_message)
            return None
        return complete(self, step, path, value)

    async def _complete_awaitable(self, step: FieldStep, path: Path, result: Awaitable[Any]) -> Any:
        try:
            completed = self.complete(step, step.complete, step.null_message, path, await result)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_step_error(raw_error, step.null_message is not None, step.nodes, path)
            completed = None
        return completed

    async def _await_completed(self, step: FieldStep, path: Path, completed: Awaitable[Any], non_null: bool) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_step_error(raw_error, non_null, step.nodes, path)
            return None

    def handle_step_error(self, raw_error: Exception, non_null: bool, nodes: list[FieldNode], path: Path) -> None:
        """graphql-core's `handle_field_error`: a non-null position passes the error up to its parent."""
        error = located_error(raw_error, nodes, path.as_list())
        if non_null and self.error_propagation:
            raise error
        self.field_errors.add(error, path)

    # --- lists ----------------------------------------------------------------------------------

    def complete_items(
        self, step: FieldStep, path: Path, items: Iterable[Any], inner: Complete, inner_null: str | None
    ) -> Any:
        """graphql-core's `complete_iterable_value`, each item completed by `inner` (a null item is an
        error where `inner_null` says so)."""
        is_awaitable = self.is_awaitable
        non_null = inner_null is not None
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(items)
        index = 0
        try:
            for item in iterator:
                item_path = Path(path, index, None)
                if is_awaitable(item):
                    append(self._complete_awaitable_item(step, item_path, item, inner, inner_null))
                    awaitable_indices.append(index)
                else:
                    try:
                        if isinstance(item, Exception):
                            raise item
                        if item is None or item is Undefined:
                            if non_null:
                                raise TypeError(inner_null)
                            completed = None
                        else:
                            completed = inner(self, step, item_path, item)
                        if is_awaitable(completed):
                            append(self._await_completed(step, item_path, completed, non_null))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        self.handle_step_error(raw_error, non_null, step.nodes, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(item for item in iterator if is_awaitable(item))
            if pending:
                settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                index = awaitable_indices[0]
                completed_results[index] = await completed_results[index]
            else:
                awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
                for index, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[index] = value
            return completed_results

        return get_completed_results()

    async def _complete_awaitable_item(
        self, step: FieldStep, item_path: Path, item: Awaitable[Any], inner: Complete, inner_null: str | None
    ) -> Any:
        try:
            completed = self.complete(step, inner, inner_null, item_path, await item)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_step_error(raw_error, inner_null is not None, step.nodes, item_path)
            return None
        return completed


class Completers(CompleterFactory):
    """graphql-core's `complete_value` for a value that is neither null nor an error, specialised per
    type when the plan is made."""

    def list(self, step: FieldStep, list_type: GraphQLList[Any], inner: Complete, inner_null: str | None) -> Complete:
        message = f"Expected Iterable, but did not find one for field '{step.parent_type.name}.{step.name}'."

        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            if executor.is_async_iterable(value):
                raise TypeError("The plan engine completes no async iterable outside a subscription's root.")
            if not is_iterable(value):
                raise GraphQLError(message)
            return executor.complete_items(step, path, value, inner, inner_null)

        return complete

    def leaf(self, leaf_type: Any) -> Complete:
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

    def object(self, step: FieldStep, plan: ObjectPlan) -> Complete:
        if plan.type.is_type_of is not None:

            def checked(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
                return _checked_object(executor, step, path, value, plan)

            return checked

        def complete(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
            return executor.execute_plan(plan, value, path)

        return complete

    def abstract(self, step: FieldStep, abstract_type: GraphQLAbstractType, plans: dict[str, ObjectPlan]) -> Complete:
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
        return executor.execute_plan(plan, value, path)
    verdict = is_type_of(value, executor.info(step, path))
    if executor.is_awaitable(verdict):

        async def checked() -> Any:
            if not await verdict:
                raise _invalid_return_type(plan.type, value, step)
            completed = executor.execute_plan(plan, value, path)
            return await completed if executor.is_awaitable(completed) else completed

        return checked()
    if not verdict:
        raise _invalid_return_type(plan.type, value, step)
    return executor.execute_plan(plan, value, path)


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
