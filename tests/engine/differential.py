"""Differential execution: every operation a test's gateway runs is answered by its plan and then,
from the same resolver values, by graphql-core's own executor; the two answers must be equal.

The plan runs as in production and its answer is the one the client gets. While it runs, every
value a resolver gives (or the error it raises) is recorded by path, with the source and arguments it
was called with. Then graphql-core's `Executor.execute_operation` runs the same operation on a copy
of the executor, through a middleware that hands each recorded field its recorded value (as an
awaitable where the plan got one) after checking that graphql-core asks with the same source and
arguments; fields the plan read directly (plain leaves) are resolved again, which they do without
side effects. So nothing reaches an upstream, the access log or the event bus twice, and what is
compared is the engine: which resolvers run with what, completion, null propagation, errors, paths,
locations and key order.

The two answers are compared as JSON bytes: `data` exactly, key order included; `errors` exactly
too, once put in path order, since the order of errors from concurrent fields follows the order in
which upstreams answer in either engine.

An answer in parts (@defer, @stream, for a client that reads them) is compared once its last part
has gone: the initial parts exactly; then the whole answer each engine's parts make together (each
deferred fragment's data merged in where it belongs, streamed items appended), with every error of
every part, and the fragments and streams each announced (path and label). Which parts carry what
follows the order in which upstreams answer, in either engine, and is not compared.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
    MiddlewareManager,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.executor import CollectedErrors
from graphql.pyutils import Path, RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.engine import Plans
from gateway.engine.completers import Completers
from gateway.engine.executor import PlanExecutor
from gateway.engine.field_collection import without_incremental
from gateway.engine.plan import FieldStep


@dataclass
class Tally:
    compared: int = 0
    identical: int = 0  # also equal with errors in the order each engine gave them
    incremental: int = 0  # of those compared, answers in parts
    documents: set[str] = field(default_factory=set)
    mismatches: list[str] = field(default_factory=list)


TALLY = Tally()

_MISSING = object()


@dataclass
class _Recorded:
    source: Any
    arguments: dict[str, Any]
    awaitable: bool
    value: Any = _MISSING
    error: BaseException | None = None


@dataclass
class _Items:
    entries: list[_Recorded | None]  # for each awaitable item, what it gave
    items: list[Any]


async def _recording(entry: _Recorded, awaitable: Any) -> Any:
    try:
        entry.value = await awaitable
    except Exception as error:
        entry.error = error
        raise
    return entry.value


async def _replayed(entry: _Recorded) -> Any:
    if entry.error is not None:
        raise entry.error
    if entry.value is _MISSING:  # the plan's was cancelled (a sibling failed): so is this one
        raise asyncio.CancelledError
    return entry.value


class DifferentialExecutor(PlanExecutor):
    recorded: dict[tuple[str | int, ...], _Recorded]

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self.plans.plan(
            self.schema, self.operation, self.fragment_definitions, self.variable_values, self.reads_parts()
        )
        if plan.root is None:
            return super().execute_operation(serially)  # introspection: graphql-core answers it anyway
        self.recorded = {}
        result = super().execute_operation(serially)
        if not self.is_awaitable(result):
            return self._checked(result, serially)

        async def both() -> Any:
            answered = await result
            checked = self._checked(answered, serially)
            return await checked if self.is_awaitable(checked) else checked

        return both()

    def _checked(self, result: Any, serially: bool | None) -> Any:
        if isinstance(result, ExperimentalIncrementalExecutionResults):
            initial = result.initial_result
            later = self._compared_later([dict(initial.formatted)], result.subsequent_results, serially)
            return ExperimentalIncrementalExecutionResults(initial, later)
        oracle = self._oracle(serially)
        if not self.is_awaitable(oracle):
            self._compare(result, oracle)
            return result

        async def compared() -> Any:
            self._compare(result, await oracle)
            return result

        return compared()

    async def _compared_later(
        self, parts: list[dict[str, Any]], later: AsyncGenerator[Any, None], serially: bool | None
    ) -> AsyncGenerator[Any, None]:
        async with aclosing(later):
            async for result in later:
                parts.append(dict(result.formatted))  # before the gateway makes its errors public
                if not result.has_next:
                    # Compared before the last part leaves: the test that reads it sees the outcome.
                    await self._compare_in_parts(parts, serially)
                yield result
        # A client that went away before the end leaves no whole answer to compare.

    async def _compare_in_parts(self, parts: list[dict[str, Any]], serially: bool | None) -> None:
        oracle = self._oracle(serially, incremental=True)
        answered = await oracle if self.is_awaitable(oracle) else oracle
        if isinstance(answered, ExperimentalIncrementalExecutionResults):
            oracle_parts = [dict(answered.initial_result.formatted)]
            async for result in answered.subsequent_results:
                oracle_parts.append(dict(result.formatted))
        else:
            oracle_parts = [dict(answered.formatted)]
        self._compare_parts(parts, oracle_parts)

    def resolve_step(self, step: FieldStep, source: Any, path: Path) -> Any:
        arguments = self.arguments(step) if step.read is None else {}
        key = tuple(path.as_list())
        try:
            result = super().resolve_step(step, source, path)
        except Exception as error:
            self.recorded[key] = _Recorded(source, arguments, False, error=error)
            raise
        if not self.is_awaitable(result):
            if isinstance(result, list) and any(self.is_awaitable(item) for item in result):
                # `_entities`: a list of awaitables, each awaited by the plan; each is recorded on its own.
                items = [_Recorded(source, arguments, True) if self.is_awaitable(i) else None for i in result]
                self.recorded[key] = _Recorded(source, arguments, False, value=_Items(items, result))
                return [_recording(entry, item) if entry else item for entry, item in zip(items, result, strict=True)]
            self.recorded[key] = _Recorded(source, arguments, False, value=result)
            return result
        entry = self.recorded[key] = _Recorded(source, arguments, True)
        return _recording(entry, result)

    def _oracle(self, serially: bool | None, incremental: bool = False) -> Any:
        oracle = copy.copy(self)
        oracle.collected_errors = CollectedErrors()
        if not incremental:  # as the plan: @defer and @stream ignored (graphql-core would apply them)
            oracle.operation, fragments = without_incremental(self.operation, self.fragment_definitions)
            oracle.fragment_definitions = fragments
            oracle.fragments = {name: FragmentDetails(fragment) for name, fragment in fragments.items()}
        if incremental:  # graphql-core's own state of an incremental execution, afresh
            # Without early execution: the whole answer is the same, and graphql-core then leaves no
            # streamed item's error unretrieved when a stream fails (with it, it does).
            oracle.enable_early_execution = False
            oracle.defer_usage_set = None
            oracle.groups, oracle.tasks, oracle.streams = [], [], []
            oracle.pending_incremental_futures, oracle.background_futures = set(), set()
            oracle._stream_usages, oracle._relevant_sub_fields = RefMap(), {}
            oracle._initial_execution_plans, oracle._deferred_execution_plans = RefMap(), RefMap()
        replay = self._replay

        def replaying(next_: Any, source: Any, info: Any, **arguments: Any) -> Any:  # a function, as graphql-core wants
            return replay(next_, source, info, **arguments)

        oracle.middleware_manager = MiddlewareManager(replaying)
        return StrawberryGraphQLCoreExecutionContext.execute_operation(oracle, serially)

    def _replay(self, next_: Any, source: Any, info: Any, **arguments: Any) -> Any:
        key = tuple(info.path.as_list())
        entry = self.recorded.get(key)
        if entry is None:
            return next_(source, info, **arguments)
        if entry.source is not source or entry.arguments != arguments:
            TALLY.mismatches.append(f"{key}: graphql-core resolves with other source or arguments ({arguments!r})")
        if entry.awaitable:
            return _replayed(entry)
        if entry.error is not None:
            raise entry.error
        if isinstance(entry.value, _Items):
            return [_replayed(e) if e else item for e, item in zip(entry.value.entries, entry.value.items, strict=True)]
        return entry.value

    def _compare(self, planned: Any, oracle: Any) -> None:
        TALLY.compared += 1
        TALLY.documents.add(orjson.dumps(self.operation.to_dict()).decode())
        if _exact(planned) == _exact(oracle):
            TALLY.identical += 1
            return
        if _ordered(planned) != _ordered(oracle):
            name = self.operation.name.value if self.operation.name else "(anonymous)"
            TALLY.mismatches.append(f"{name}:\n plan:   {_ordered(planned)!r}\n oracle: {_ordered(oracle)!r}")

    def _compare_parts(self, planned: list[dict[str, Any]], oracle: list[dict[str, Any]]) -> None:
        TALLY.compared += 1
        TALLY.incremental += 1
        TALLY.documents.add(orjson.dumps(self.operation.to_dict()).decode())
        ours, theirs = _whole(planned), _whole(oracle)
        if ours == theirs:
            TALLY.identical += 1
            return
        name = self.operation.name.value if self.operation.name else "(anonymous)"
        TALLY.mismatches.append(f"{name} (in parts):\n plan:   {ours!r}\n oracle: {theirs!r}")


def _whole(parts: list[dict[str, Any]]) -> bytes:
    """The initial part's data, the whole answer the parts make (its keys sorted), all their errors in path
    order, and the fragments and streams announced."""
    initial = parts[0]
    data = copy.deepcopy(initial.get("data"))
    errors = list(initial.get("errors", ()))
    paths: dict[str, list[Any]] = {}
    announced: list[tuple[str, str]] = []
    for part in parts:
        for pending in part.get("pending", ()):
            paths[pending["id"]] = pending["path"]
            announced.append((orjson.dumps(pending["path"]).decode(), pending.get("label") or ""))
        for entry in part.get("incremental", ()):
            node = data
            for key in [*paths[entry["id"]], *entry.get("subPath", ())]:
                node = node[key]
            if "items" in entry:
                node.extend(entry["items"])
            else:
                merge_into(node, entry["data"])
            errors.extend(entry.get("errors", ()))
        for completed in part.get("completed", ()):
            errors.extend(completed.get("errors", ()))
    errors.sort(key=lambda e: (orjson.dumps(e.get("path")), e["message"]))
    # The whole answer's keys in order: a fragment merged later adds its keys after those of one merged
    # sooner, and which comes sooner follows the upstreams' timing.
    whole = orjson.dumps({"data": data}, option=orjson.OPT_SORT_KEYS)
    return orjson.dumps({"initial": initial.get("data"), "errors": errors, "announced": sorted(announced)}) + whole


def merge_into(into: dict[str, Any], data: dict[str, Any]) -> None:
    """A deferred fragment's data merged into the object it belongs to."""
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge_into(into[key], value)
        else:
            into[key] = value


def _errors(result: ExecutionResult) -> list[dict[str, Any]]:
    return [error.formatted for error in result.errors or ()]


def _exact(result: ExecutionResult) -> bytes:
    return orjson.dumps({"data": result.data, "errors": _errors(result)})


def _ordered(result: ExecutionResult) -> bytes:
    errors = sorted(_errors(result), key=lambda e: (orjson.dumps(e.get("path")), e["message"]))
    return orjson.dumps({"data": result.data, "errors": errors})


def differential_executor_with_plans() -> tuple[type[PlanExecutor], Plans]:
    """`gateway.engine.executor_with_plans` for tests: the plan's answers checked against graphql-core's."""
    plans = Plans(Completers())
    return DifferentialExecutor.using(plans), plans
