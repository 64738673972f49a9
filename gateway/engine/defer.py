"""@defer: deferred fields run as graphql-core's `IncrementalExecutor` runs them, with the work it does
per object done once in the plan.

An object where @defer fragments begin runs through `execute_object`, which begins their delivery
groups and starts the groups deferred there. Each deferred group runs on a sub-executor of its own (a
copy with its own errors and its own later work), as an `ExecutionGroup` the publisher sends when its
delivery groups are due.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Self

from graphql.execution.collect_fields import DeferUsage
from graphql.execution.incremental.build_execution_plan import DeferUsageSet
from graphql.execution.incremental.computation import Computation
from graphql.execution.incremental.incremental_executor import DeliveryGroup, ExecutionGroup
from graphql.execution.incremental.work_queue import WorkResult
from graphql.pyutils import Path

from gateway.engine.lists import ListCompletion
from gateway.engine.plan import DeferredGroup, Defers, ObjectPlan


class DeferredExecution(ListCompletion):
    """The executor's layer that runs deferred fragments, and makes the sub-executors they run on."""

    # Incremental plans: the delivery group of each @defer fragment begun, by its usage and the position
    # of the object it began on (graphql-core passes a map down instead: see `_group_of`).
    _delivery: dict[tuple[int, Path | None], DeliveryGroup]
    _sub_executors: list[DeferredExecution]  # of an incremental execution, all sharing this list

    def execute_object(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:
        """The fields of `plan` on `source`, with the @defer fragments that begin there (incremental plans)."""
        if plan.defers is not None:
            return self._execute_deferring(plan, plan.defers, source, path)
        return self.execute_plan(plan, source, path)

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

    def create_sub_executor(self, defer_usage_set: DeferUsageSet | None = None) -> Self:
        executor = super().create_sub_executor(defer_usage_set)
        assert isinstance(executor, type(self))  # a copy of this one
        self._sub_executors.append(executor)  # a list all of them share
        return executor

    async def _aborting_on_error(self, pending: Awaitable[Any]) -> Any:
        """What `pending` gives; if it fails, the later work this sub-executor made is aborted first."""
        try:
            return await pending
        except Exception:
            aborted = self.abort()
            if self.is_awaitable(aborted):
                await aborted
            raise
