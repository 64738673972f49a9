"""@defer and @stream in the plans, on a schema of their own: each document answered in parts by the plan and
by graphql-core's IncrementalExecutor, compared as tests/engine/differential.py compares them (the initial
part exactly; the whole answer the parts make, every error and every announcement). Nested fragments,
fragments on list items, streams inside deferred fragments and deferred fragments in streamed items,
errors in both (nullable and not), `if: false`, variables, and the plan that ignores them all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import ExperimentalIncrementalExecutionResults, experimental_execute_incrementally, parse
from graphql.execution.incremental.incremental_executor import IncrementalExecutor
from strawberry.schema.config import StrawberryConfig

from gateway.engine import executor_with_plans
from tests.engine.differential import _whole


@strawberry.type
class Item:
    id: int

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(0.001 * (self.id % 4))
        return f"slow {self.id}"

    @strawberry.field
    async def failing(self) -> str | None:
        raise ValueError(f"item {self.id} failed")

    @strawberry.field
    async def required(self) -> str:
        if self.id % 2:
            raise ValueError(f"item {self.id} has nothing")
        return "there"

    @strawberry.field
    def children(self) -> list[Item]:
        return [Item(id=self.id * 10 + i) for i in range(3)]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(id=i) for i in range(5)]

    @strawberry.field
    async def later_items(self) -> list[Item]:
        await asyncio.sleep(0.001)
        return [Item(id=i) for i in range(4)]

    @strawberry.field
    async def name(self) -> str:
        return "name"


class _Context:
    incremental_delivery = True


class _JsonClient:
    incremental_delivery = False


DOCUMENTS: list[tuple[str, dict[str, Any] | None]] = [
    ('{ name ... @defer(label: "a") { items { id slow } } }', None),
    ("{ items @stream(initialCount: 2) { id ... @defer { slow } } }", None),
    ('{ laterItems @stream(initialCount: 0, label: "s") { id slow } name }', None),
    (
        '{ ... @defer { items { id ... @defer(label: "inner") { slow children { id ... @defer { failing } } } } } }',
        None,
    ),
    ("{ ... @defer { items { required } } ... @defer { name items { id } } }", None),
    ("{ items { id ... @defer { children @stream(initialCount: 1) { slow required } } } }", None),
    ("{ items @stream(initialCount: 1) { required } }", None),
    ("query($n: Int!) { items @stream(initialCount: $n) { id } }", {"n": 3}),
    ("query($n: Int!) { items @stream(initialCount: $n) { id } }", {"n": -1}),
    ("query($d: Boolean!) { name ... @defer(if: $d) { items { slow } } }", {"d": False}),
    ("query($d: Boolean!) { name ... @defer(if: $d) { items { slow } } }", {"d": True}),
    ("{ ...F @defer ...F } fragment F on Query { name items { id } }", None),
    ("{ items { id ...@defer(if: false) { slow } } }", None),
]


async def _parts(result: Any) -> list[dict[str, Any]]:
    if not isinstance(result, ExperimentalIncrementalExecutionResults):
        return [dict(result.formatted)]
    parts = [dict(result.initial_result.formatted)]
    async for later in result.subsequent_results:
        parts.append(dict(later.formatted))
    return parts


async def _run(schema: strawberry.Schema, executor: type, document: str, variables: Any, context: Any) -> Any:
    # The plan always executes early; graphql-core's, so, leaves a failed stream's later items' errors
    # unretrieved, which the whole answer does not depend on.
    result = experimental_execute_incrementally(
        schema._schema,
        parse(document),
        context_value=context,
        variable_values=variables,
        executor_class=executor,
        enable_early_execution=executor is not IncrementalExecutor,
    )
    return await _parts(await result if asyncio.iscoroutine(result) else result)


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    executor, _ = executor_with_plans()
    return strawberry.Schema(
        Query,
        config=StrawberryConfig(enable_experimental_incremental_execution=True),
        execution_context_class=executor,
    )


@pytest.mark.parametrize(("document", "variables"), DOCUMENTS)
async def test_the_plan_answers_in_the_parts_graphql_core_answers_in(
    schema: strawberry.Schema, document: str, variables: dict[str, Any] | None
) -> None:
    planned = await _run(schema, schema.execution_context_class, document, variables, _Context())
    oracle = await _run(schema, IncrementalExecutor, document, variables, _Context())
    assert _whole(planned) == _whole(oracle)
    assert planned[-1].get("hasNext", False) is False


async def test_a_client_that_reads_no_parts_gets_everything_at_once(schema: strawberry.Schema) -> None:
    document = '{ name ... @defer(label: "a") { items @stream(initialCount: 1) { id slow } } }'
    planned = await _run(schema, schema.execution_context_class, document, None, _JsonClient())
    assert planned == [{"data": {"name": "name", "items": [{"id": i, "slow": f"slow {i}"} for i in range(5)]}}]
