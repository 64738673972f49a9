"""Errors and null propagation: graphql-core's rules, for the values a plan's fields give.

- a resolver that raises, or returns an exception, gives an error located at the field's nodes and
  path (`handle_step_error`, graphql-core's `handle_field_error`);
- a null in a non-null position is an error with graphql-core's message ("Cannot return null for
  non-nullable field Type.field.");
- an error in a nullable position nulls that field and is collected; in a non-null position it is
  raised to the parent, which nulls itself, up to the nearest nullable field (or `data: null`);
- when a field fails while siblings are still pending, those are settled in the background so that
  their errors are seen (`settle_in_background`), as graphql-core does.

`NullPropagation` is the first of the executor's layers (executor.py lists them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Self, TypeAlias, TypeVar

from graphql import FieldNode, located_error
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.engine.plan import FieldStep

# Awaitables left behind by a failing field, settled so their errors are seen (graphql-core does the same).
_BACKGROUND: set[asyncio.Future[Any]] = set()


def settle_in_background(awaitables: list[Awaitable[Any]]) -> None:
    future = asyncio.gather(*awaitables, return_exceptions=True)
    _BACKGROUND.add(future)
    future.add_done_callback(_BACKGROUND.discard)


# How a value that is neither null nor an error completes: (executor, step, path, value) -> the completed
# value, or an awaitable of it.
E = TypeVar("E")  # the executor a completion is given (a layer, or the whole PlanExecutor)
Complete: TypeAlias = Callable[[E, FieldStep, Path, Any], Any]


class NullPropagation(StrawberryGraphQLCoreExecutionContext):
    """The executor's first layer: a value completed, or its error handled, as graphql-core does."""

    def complete(
        self, step: FieldStep, complete: Complete[Self], null_message: str | None, path: Path, value: Any
    ) -> Any:
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
