"""What graphql-core's own per-field work costs: the same document through a plan made once.

The execution-cost issue asks, if graphql-core's per-field cost stands between the gateway and its
goal, to measure what would remove it, for example a plan compiled once per document as graphql-jit
does for JavaScript. This measures that, without building it into the gateway: over the bare schema
of `field_cost.py` (same types, same records, plain resolvers), it runs the 60-thread inbox document

- through graphql-core 3.3 `execute` (document parsed and validated once), and
- through a plan made once from the document: nested closures that call the same resolvers and the
  same serializers, with no resolve info, no awaitable checks and no completion by type per field.

Both answers must be equal. The plan covers only what this document uses (fields, arguments from
variables or literals, lists, nullable and non-null objects and leaves); errors, fragments,
directives and abstract types, which a real compiler must keep, are not compiled. So the figure is a
lower bound of what a compiled plan could cost, next to what graphql-core costs. Figures print;
nothing is asserted.

    python bench/compiled_plan.py [--runs 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import graphql
from _stack import sandbox_settings
from field_cost import DOCUMENT, VARIABLES, Records, bare_schema, fields_in, gateway_runs
from graphql import language as ast

from gateway.core.config import Settings
from gateway.schema import build_schema
from gateway.sources import Sources
from gateway.sources.loaders import Loaders
from sandbox import start_sandbox

Plan = Callable[[Any, dict[str, Any]], Any]


def _argument(node: ast.ValueNode) -> Callable[[dict[str, Any]], Any]:
    if isinstance(node, ast.VariableNode):
        name = node.name.value
        return lambda variables: variables[name]
    value = graphql.value_from_ast_untyped(node)
    return lambda _variables: value


def _default(name: str) -> Callable[..., Any]:
    # As graphql-core's default resolver: a mapping's key, else an attribute.
    def resolve(source: Any, _info: Any, **_arguments: Any) -> Any:
        return source.get(name) if isinstance(source, dict) else getattr(source, name, None)

    return resolve


def _plan(graphql_type: graphql.GraphQLOutputType, selections: ast.SelectionSetNode | None) -> Plan:
    """A function of (value, variables) giving the completed value of `graphql_type`."""
    nullable = graphql.get_nullable_type(graphql_type)
    if isinstance(nullable, graphql.GraphQLList):
        item = _plan(nullable.of_type, selections)
        return lambda values, variables: None if values is None else [item(v, variables) for v in values]
    if isinstance(nullable, graphql.GraphQLScalarType | graphql.GraphQLEnumType):
        serialize = nullable.serialize
        return lambda value, _variables: None if value is None else serialize(value)
    assert isinstance(nullable, graphql.GraphQLObjectType) and selections is not None
    steps = []
    for node in selections.selections:
        assert isinstance(node, ast.FieldNode), "the plan compiles fields only"
        field = nullable.fields[node.name.value]
        resolve = field.resolve or _default(node.name.value)
        arguments = {a.name.value: _argument(a.value) for a in node.arguments or ()}
        steps.append(((node.alias or node.name).value, resolve, arguments, _plan(field.type, node.selection_set)))

    def complete(source: Any, variables: dict[str, Any]) -> Any:
        if source is None:
            return None
        result = {}
        for key, resolve, arguments, inner in steps:
            given = {name: value(variables) for name, value in arguments.items()}
            result[key] = inner(resolve(source, None, **given), variables)
        return result

    return complete


def compile_document(schema: graphql.GraphQLSchema, document: ast.DocumentNode) -> Plan:
    operation = next(d for d in document.definitions if isinstance(d, ast.OperationDefinitionNode))
    assert schema.query_type is not None
    root = _plan(schema.query_type, operation.selection_set)
    return lambda root_value, variables: root(root_value or {}, variables)


def timed(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    started = time.process_time()
    result = None
    for _ in range(runs):
        result = run()
    return time.process_time() - started, result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60, help="measured executions per side and block")
    parser.add_argument("--blocks", type=int, default=6, help="alternations between the two sides")
    args = parser.parse_args()
    async with await start_sandbox() as sandbox, aiohttp.ClientSession() as http:
        sources = Sources.build(http, sandbox_settings(sandbox))
        loaders = Loaders(sources)
        await gateway_runs(build_schema(Settings()), sources, loaders, 1)  # the records, through the gateway
        schema = bare_schema(Records(loaders))
    document = graphql.parse(DOCUMENT)
    assert not graphql.validate(schema, document)
    plan = compile_document(schema, document)
    variables = dict(VARIABLES)

    def by_graphql_core() -> Any:
        result = graphql.execute(schema, document, variable_values=variables)
        assert isinstance(result, graphql.ExecutionResult) and not result.errors
        return result.data

    def by_plan() -> Any:
        return plan(None, variables)

    assert by_plan() == by_graphql_core(), "the plan must answer as graphql-core does"
    fields = fields_in(by_plan())
    core: list[float] = []
    planned: list[float] = []
    for _ in range(args.blocks):
        seconds, _ = timed(by_graphql_core, args.runs)
        core.append(seconds / args.runs / fields * 1e6)
        seconds, _ = timed(by_plan, args.runs)
        planned.append(seconds / args.runs / fields * 1e6)
    core_us, plan_us = statistics.median(core), statistics.median(planned)
    print(f"The 60-thread inbox document over the bare schema of field_cost.py: {fields} fields;")
    print(f"median of {args.blocks} blocks of {args.runs} runs per side (CPU time per resolved field).")
    print()
    print(f"{'execution':<40} {'us/field':>9} {'ms/request':>11}")
    print(f"{'-' * 40} {'-' * 9} {'-' * 11}")
    for label, us in (("graphql-core 3.3 execute", core_us), ("a plan made once (closures)", plan_us)):
        print(f"{label:<40} {us:>9.2f} {us * fields / 1000:>11.2f}")
    print()
    print(f"graphql-core's own work: {core_us - plan_us:.2f} us per field ({(core_us - plan_us) / core_us:.0%} of it).")


if __name__ == "__main__":
    asyncio.run(main())
