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

An incremental plan (@defer, @stream, for a client that reads parts) runs as graphql-core's
`IncrementalExecutor` runs the same operation: each deferred group on a sub-executor of its own (a copy
with its own errors and its own later work), as an `ExecutionGroup`, and a streamed list's later items
as an `ItemStream`; graphql-core's publisher sends the parts. Only how fields execute is the plan's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from contextlib import aclosing
from itertools import islice
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
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
from graphql.execution.collect_fields import DeferUsage, FragmentDetails
from graphql.execution.executor import CollectedErrors, collect_iterator_awaitables
from graphql.execution.incremental.build_execution_plan import DeferUsageSet
from graphql.execution.incremental.computation import Computation
from graphql.execution.incremental.incremental_executor import DeliveryGroup, ExecutionGroup, ItemStream
from graphql.execution.incremental.stream_item_queue import StreamItemQueue
from graphql.execution.incremental.work_queue import WorkResult
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.engine.compiler import CompleterFactory
from gateway.engine.plan import DeferredGroup, Defers, FieldStep, ObjectPlan, StreamedList
from gateway.engine.plan_cache import Plans
from gateway.engine.selection import RUNNING

# Awaitables left behind by a failing field, settled so their errors are seen (graphql-core does the same).
_BACKGROUND: set[asyncio.Future[Any]] = set()


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def settle_in_background(awaitables: list[Awaitable[Any]]) -> None:
    future = asyncio.gather(*awaitables, return_exceptions=True)
    _BACKGROUND.add(future)
    future.add_done_callback(_BACKGROUND.discard)


# How a value that is neither null nor an error completes: (executor, step, path, value) -> the completed
# value, or an awaitable of it.
Complete = Callable[["PlanExecutor", FieldStep, Path, Any], Any]


def _ended(_: object) -> Any:
    raise RuntimeError("the execution has ended: no more work can join it")


ENDED = GraphQLResolveInfoHelpers(gather=_ended, track=_ended)


class PlanExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs plans; a schema's executor class is made with `using`, bound to the plans it keeps."""

    plans: ClassVar[Plans]
    # Incremental plans: the delivery group of each @defer fragment begun, by its usage and the position
    # of the object it began on (graphql-core passes a map down instead: see `_group_of`).
    _delivery: dict[tuple[int, Path | None], DeliveryGroup]
    _sub_executors: list[PlanExecutor]  # of an incremental execution, all sharing this list

    @classmethod
    def using(cls, plans: Plans) -> type[PlanExecutor]:
        return type(cls.__name__, (cls,), {"plans": plans})

    def execute_operation(self, serially: bool | None = None) -> Any:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            raise TypeError("The plan engine calls resolvers directly: a schema extension may not wrap them.")
        if self.abort_signal is not None or self.hooks is not None:
            raise TypeError("The plan engine supports neither abort signals nor execution hooks.")
        incremental = self.reads_parts()
        plan = self.plans.plan(
            self.schema, self.operation, self.fragment_definitions, self.variable_values, incremental
        )
        if plan.root is None:  # introspection: graphql-core's, with @defer and @stream if the client reads parts
            self._sub_executors = []
            if not incremental and plan.whole is not None:
                self.operation, self.fragment_definitions = plan.whole
                self.fragments = {name: FragmentDetails(f) for name, f in self.fragment_definitions.items()}
            return super().execute_operation(serially)
        self.collected_errors = CollectedErrors()  # a subscription's events each start afresh
        if incremental:
            self._delivery = {}
            self._sub_executors = []
            # A deferred fragment starts when it is found, not once the part before it is sent: a slow
            # source's part then arrives when the source answers.
            self.enable_early_execution = True
        mutation = plan.operation.operation == OperationType.MUTATION
        selections = plan.selections
        token = RUNNING.set(selections)
        try:
            try:
                if mutation if serially is None else serially:
                    data = self._execute_serially(plan.root, self.root_value)
                else:
                    data = self.execute_object(plan.root, self.root_value, None)
            except GraphQLError as error:
                self.collected_errors.add(error, None)
                return self._response(None, incremental)
        finally:
            RUNNING.reset(token)
        if not self.is_awaitable(data):
            return self._response(data, incremental)
        pending = data

        async def await_result() -> Any:
            token = RUNNING.set(selections)
            try:
                completed = await pending
            except GraphQLError as error:
                self.collected_errors.add(error, None)
                return self._response(None, incremental)
            except Exception:
                await self.cancel_incremental_work()  # as graphql-core: no deferred work outlives a failure
                raise
            finally:
                RUNNING.reset(token)
            return self._response(completed, incremental)

        return await_result()

    def reads_parts(self) -> bool:
        """Whether @defer and @stream apply: the client reads an answer in parts (never a subscription's)."""
        return bool(getattr(self.context_value, "incremental_delivery", False)) and (
            self.operation.operation != OperationType.SUBSCRIPTION
        )

    async def _ending(self, later: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        """The later parts; then nothing of the execution holds another part of it (the cycles through
        the helpers, and through each sub-executor and the work it made, as `_response` explains)."""
        try:
            async with aclosing(later):
                async for result in later:
                    yield result
        finally:
            for executor in (self, *self._sub_executors):
                executor.async_helpers = ENDED
                executor.groups, executor.tasks, executor.streams = [], [], []
            self._sub_executors.clear()

    def create_sub_executor(self, defer_usage_set: DeferUsageSet | None = None) -> PlanExecutor:
        executor = super().create_sub_executor(defer_usage_set)
        assert isinstance(executor, PlanExecutor)  # a copy of this one
        self._sub_executors.append(executor)  # a list all of them share
        return executor

    def _response(self, data: dict[str, Any] | None, incremental: bool = False) -> Any:
        if incremental:
            # The initial part, and the later ones to come (graphql-core's publisher numbers and sends
            # them); resolvers of those still use the helpers, until the last part has gone.
            result = self.build_response(data)
            if isinstance(result, ExperimentalIncrementalExecutionResults):
                return ExperimentalIncrementalExecutionResults(
                    result.initial_result, self._ending(result.subsequent_results)
                )
        # graphql-core's helpers for resolvers hold bound methods of the executor, which holds the
        # request's context: a cycle, which kept every request's loaded records until the garbage
        # collector came by (with a cycle in the loaders, since gone: 14 MB at 64 requests in
        # flight). The answer is whole here, and nothing of the plan's uses the helpers after it; a
        # subscription's events each have a copy of their own.
        self.async_helpers = ENDED
        return ExecutionResult(data, self.collected_errors.errors or None)

    # --- fields ---------------------------------------------------------------------------------

    def execute_object(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The fields of `plan` on `source`, with the @defer fragments that begin there (incremental plans)."""
        if plan.defers is not None:
            return self._execute_deferring(plan, plan.defers, source, path)
        return self.execute_plan(plan, source, path)

    def execute_plan(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The fields of `plan` on `source`, concurrently: a dict, or an awaitable of it. (A plan whose
        object begins @defer fragments runs through `execute_object`; completers choose when compiled.)"""
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
        self.collected_errors.add(error, path)

    # --- @defer ---------------------------------------------------------------------------------
    # graphql-core's IncrementalExecutor, with the work it does per object done once in the plan: each
    # deferred group runs on a sub-executor of its own (its own errors, its own later work), as an
    # `ExecutionGroup` the publisher sends when its delivery groups are due.

    def _execute_deferring(self, plan: ObjectPlan, defers: Defers, source: Any, path: Path | None) -> Any:
        new_groups = [self._begin(usage, path) for usage in defers.new]
        data = self.execute_plan(plan, source, path)
        self.groups.extend(new_groups)
        for group in defers.groups:
            self._defer(group, source, path)
        return data

    def _begin(self, usage: DeferUsage, path: Path | None) -> DeliveryGroup:
        parent = usage.parent_defer_usage
        group = DeliveryGroup(path, usage.label, None if parent is None else self._group_of(parent, path))
        self._delivery[id(usage), path] = group
        return group

    def _group_of(self, usage: DeferUsage, path: Path | None) -> DeliveryGroup:
        """The delivery group of `usage` that the object at `path` belongs to: the one begun at the
        nearest enclosing position (for a list, each item has its own)."""
        delivery = self._delivery
        while True:
            group = delivery.get((id(usage), path))
            if group is not None:
                return group
            if path is None:
                raise KeyError(usage.label)  # not reached: a fragment begins above what it contains
            path = path.prev

    def _defer(self, group: DeferredGroup, source: Any, path: Path | None) -> None:
        delivery_groups = [self._group_of(usage, path) for usage in group.usages]
        executor = self.create_sub_executor(group.usages)

        def execute() -> Any:
            return executor._execute_group(delivery_groups, group.plan, source, path)

        computation = Computation(execute, executor.abort)
        if group.now:
            self.prime_now(computation)
        else:
            self.prime_soon(computation)
        self.tasks.append(ExecutionGroup(delivery_groups, computation, path))

    def _execute_group(
        self, delivery_groups: list[DeliveryGroup], plan: ObjectPlan, source: Any, path: Path | None
    ) -> Any:
        """graphql-core's `execute_execution_group`, for a deferred group's plan."""
        # It runs in a task of its own, started while the plan ran: `selected` finds the plan's selections.
        try:
            result = self.execute_plan(plan, source, path)
        except Exception:
            self.abort_in_background()
            raise
        if not self.is_awaitable(result):
            return self.build_execution_group_result(delivery_groups, path, result)

        async def await_result() -> WorkResult:
            data = await self._aborting_on_error(result)
            return self.build_execution_group_result(delivery_groups, path, data)

        return await_result()

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

    # --- @stream --------------------------------------------------------------------------------

    def complete_streamed_items(
        self,
        step: FieldStep,
        path: Path,
        items: Iterable[Any],
        inner: Complete,
        inner_null: str | None,
        streamed: StreamedList,
    ) -> Any:
        """A list with @stream: its first items completed here, then (as graphql-core does once it has
        taken `initialCount` items) the rest streamed, each item a part of its own."""
        if streamed.initial_count < 0:
            raise ValueError("initialCount must be a positive integer")  # graphql-core's message
        iterator = iter(items)
        first = list(islice(iterator, streamed.initial_count))
        completed = self.complete_items(step, path, first, inner, inner_null)
        if len(first) == streamed.initial_count:
            queue = self._stream_queue(step, path, iterator, streamed, len(first))
            self.streams.append(ItemStream(path, streamed.label, queue, len(first)))
        return completed

    def _stream_queue(
        self, step: FieldStep, path: Path, iterator: Iterator[Any], streamed: StreamedList, index: int
    ) -> StreamItemQueue:
        """graphql-core's `build_stream_item_queue`, each item completed by the plan."""
        is_awaitable = self.is_awaitable
        early = self.enable_early_execution

        async def produce(queue: StreamItemQueue) -> None:
            at = index
            while True:
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                except Exception as raw_error:
                    raise located_error(raw_error, step.nodes, path.as_list()) from raw_error
                result = self.create_sub_executor()._stream_item(step, Path(path, at, None), item, streamed)
                if not is_awaitable(result):
                    await queue.push(result)
                elif early:
                    future = asyncio.ensure_future(result)
                    # A stream that fails at an item leaves those after it unread: their errors are seen here.
                    future.add_done_callback(_seen)
                    await queue.push(future)
                else:
                    await queue.push(await result)
                at += 1

        def on_abort(_reason: BaseException | None) -> None:
            # Items not taken yet may be awaitables: settled, so that their errors are seen.
            self.track_async_work(collect_iterator_awaitables(iterator, is_awaitable))

        return StreamItemQueue(produce, on_abort, eager=early)

    def _stream_item(self, step: FieldStep, item_path: Path, item: Any, streamed: StreamedList) -> Any:
        """graphql-core's `complete_stream_item` on this sub-executor: a `WorkResult`, or an awaitable of it."""
        inner, inner_null = streamed.inner, streamed.inner_null
        non_null = inner_null is not None
        if self.is_awaitable(item):
            return self._finish_item(self._complete_awaitable_item(step, item_path, item, inner, inner_null))
        try:
            try:
                completed = self.complete(step, inner, inner_null, item_path, item)
            except Exception as raw_error:
                self.handle_step_error(raw_error, non_null, step.nodes, item_path)
                return self.build_stream_item_result(None)
        except Exception:
            self.abort_in_background()
            raise
        if self.is_awaitable(completed):
            return self._finish_item(self._await_completed(step, item_path, completed, non_null))
        return self.build_stream_item_result(completed)

    async def _finish_item(self, completing: Awaitable[Any]) -> WorkResult:
        return self.build_stream_item_result(await self._aborting_on_error(completing))

    async def _aborting_on_error(self, pending: Awaitable[Any]) -> Any:
        """What `pending` gives; if it fails, the later work this sub-executor made is aborted first."""
        try:
            return await pending
        except Exception:
            aborted = self.abort()
            if self.is_awaitable(aborted):
                await aborted
            raise


class Completers(CompleterFactory):
    """graphql-core's `complete_value` for a value that is neither null nor an error, specialised per
    type when the plan is made."""

    def list(
        self,
        step: FieldStep,
        list_type: GraphQLList[Any],
        inner: Complete,
        inner_null: str | None,
        streamed: StreamedList | None = None,
    ) -> Complete:
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

        if plan.defers is not None:

            def deferring(executor: PlanExecutor, step: FieldStep, path: Path, value: Any) -> Any:
                return executor.execute_object(plan, value, path)

            return deferring

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
