"""A list's items, completed as graphql-core's `complete_iterable_value` completes them: each item by
the list's inner completion, awaitable items awaited together, a null item an error where the item
type is non-null.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, Self

from graphql.pyutils import Path, Undefined, gather_with_cancel

from gateway.engine.fields import FieldExecution
from gateway.engine.null_propagation import Complete, settle_in_background
from gateway.engine.plan import FieldStep


class ListCompletion(FieldExecution):
    """The executor's layer that completes a list's items."""

    def complete_items(
        self, step: FieldStep, path: Path, items: Iterable[Any], inner: Complete[Self], inner_null: str | None
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
        self, step: FieldStep, item_path: Path, item: Awaitable[Any], inner: Complete[Self], inner_null: str | None
    ) -> Any:
        try:
            completed = self.complete(step, inner, inner_null, item_path, await item)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_step_error(raw_error, inner_null is not None, step.nodes, item_path)
            return None
        return completed
