"""@stream: a streamed list's first `initialCount` items complete with the list, and the others one by
one, each on a sub-executor of its own, as graphql-core's `IncrementalExecutor` completes streamed
items; they go out as an `ItemStream`, which graphql-core's publisher sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Iterator
from itertools import islice
from typing import Any, Self

from graphql import located_error
from graphql.execution.executor import collect_iterator_awaitables
from graphql.execution.incremental.incremental_executor import ItemStream
from graphql.execution.incremental.stream_item_queue import StreamItemQueue
from graphql.execution.incremental.work_queue import WorkResult
from graphql.pyutils import Path

from gateway.engine.defer import DeferredExecution
from gateway.engine.null_propagation import Complete
from gateway.engine.plan import FieldStep, StreamedList


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class StreamedExecution(DeferredExecution):
    """The executor's layer that streams a list's later items."""

    def complete_streamed_items(
        self,
        step: FieldStep,
        path: Path,
        items: Iterable[Any],
        inner: Complete[Self],
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
