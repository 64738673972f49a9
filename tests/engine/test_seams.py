"""The seams the engine stands on. It uses graphql-core's and Strawberry's public APIs, and these few
names besides, which their authors may move in a minor release; pyproject.toml pins the minor versions
this was tested with (strawberry-graphql 0.341, graphql-core 3.3). A test here fails, naming the
internal, when an upgrade moves one; then adapt gateway/engine/ before widening the pin."""

from __future__ import annotations

import enum
import inspect

import graphql
import strawberry
from graphql.execution import Executor, VariableValues
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class _ColourQuery:
    colour: Colour = Colour.RED


def test_strawberrys_executor_class_is_graphql_cores_with_its_own_resolve_info() -> None:
    # gateway/engine/executor.py: PlanExecutor subclasses it, and `info()` asks it for the resolve
    # info Strawberry's resolvers read (its operation_extensions).
    assert issubclass(StrawberryGraphQLCoreExecutionContext, Executor)
    parameters = list(inspect.signature(StrawberryGraphQLCoreExecutionContext.build_resolve_info).parameters)
    assert parameters == ["self", "field_def", "field_nodes", "parent_type", "path"]
    assert list(inspect.signature(Executor.execute_operation).parameters) == ["self", "serially"]


def test_graphql_cores_executor_keeps_the_attributes_the_plan_reads() -> None:
    schema = graphql.build_schema("type Query { a: String }")
    executor = Executor.build(schema, graphql.parse("{ a }"))
    assert isinstance(executor, Executor)
    for name in (
        "operation",
        "fragment_definitions",
        "root_value",
        "hide_suggestions",
        "error_propagation",
        "is_awaitable",
        "is_async_iterable",
        "type_resolver",
        "middleware_manager",
        "abort_signal",
        "hooks",
    ):
        assert hasattr(executor, name), f"graphql-core's Executor lost `{name}`"
    assert isinstance(executor.variable_values, VariableValues)
    assert executor.variable_values.coerced == {}


def test_strawberry_fields_say_how_their_resolvers_are_called() -> None:
    # gateway/engine/plan.py `direct_resolver` reads these to call a plain field without Strawberry's wrapper.
    assert GraphQLCoreConverter.DEFINITION_BACKREF == "strawberry-definition"

    @strawberry.type
    class Query:
        plain: str = "x"

        @strawberry.field
        def method(self, n: int | None = None) -> str:
            return str(n)

    schema = strawberry.Schema(Query)
    fields = schema._schema.query_type.fields  # type: ignore[union-attr]
    plain = fields["plain"].extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    method = fields["method"].extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    assert isinstance(plain, StrawberryField) and plain.base_resolver is None and plain.python_name == "plain"
    assert isinstance(method, StrawberryField) and not method.extensions and not method.is_subscription
    resolver = method.base_resolver
    assert resolver is not None and inspect.isfunction(resolver.wrapped_func) and not resolver.is_async
    assert resolver.self_parameter is not None and resolver.info_parameter is None
    assert set(resolver.reserved_parameters.values()) == {resolver.self_parameter, None}
    assert isinstance(method.arguments[0].type, StrawberryOptional) and method.arguments[0].type.of_type is int


def test_strawberry_enums_and_selected_fields_keep_their_shape() -> None:
    # schema/execution.py reads an enum type's class and values; engine/selection.py reads selected_fields
    # outside a plan.
    converted = strawberry.Schema(_ColourQuery)._schema.type_map["Colour"]
    assert isinstance(converted, CustomGraphQLEnumType)
    assert converted.wrapped_cls is Colour and converted.values["RED"].value == "red"
    for node_type, attribute in ((SelectedField, "selections"), (FragmentSpread, "selections")):
        assert attribute in node_type.__dataclass_fields__, node_type
    assert "selections" in InlineFragment.__dataclass_fields__
