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

The class is built in layers, each a module of its own and a subclass of the one before it:
null_propagation.py `NullPropagation` (errors and null propagation), fields.py `FieldExecution` (an
object's fields), lists.py `ListCompletion` (a list's items), defer.py `DeferredExecution` (@defer and
the sub-executors), stream.py `StreamedExecution` (@stream), and here `PlanExecutor`: which plan
runs, and the answer it makes. How a value completes by its type is completers.py.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any, ClassVar

from graphql import (
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
    GraphQLError,
    GraphQLResolveInfoHelpers,
    OperationType,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.executor import CollectedErrors

from gateway.engine.plan_cache import Plans
from gateway.engine.selection import RUNNING
from gateway.engine.stream import StreamedExecution


def _ended(_: object) -> Any:
    raise RuntimeError("the execution has ended: no more work can join it")


ENDED = GraphQLResolveInfoHelpers(gather=_ended, track=_ended)


class PlanExecutor(StreamedExecution):
    """Runs plans; a schema's executor class is made with `using`, bound to the plans it keeps."""

    plans: ClassVar[Plans]

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
