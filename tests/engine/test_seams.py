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
    # gateway/engine/null_propagation.py: PlanExecutor's first layer subclasses it, and `info()` (fields.py)
    # asks it for the resolve info Strawberry's resolvers read (its operation_extensions).
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
    # gateway/engine/resolver_calls.py `direct_resolver` reads these to call a plain field without Strawberry's wrapper.
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


def test_graphql_cores_incremental_machinery_is_where_the_plan_finds_it() -> None:
    # gateway/engine: incremental plans are made with graphql-core's field collection and execution
    # plan, and run as its IncrementalExecutor runs them (sub-executors, execution groups, item streams,
    # its publisher), with the plan's own steps.
    from graphql.execution.collect_fields import (
        DeferUsage,
        FieldDetails,
        FragmentDetails,
        collect_fields,
        collect_subfields,
    )
    from graphql.execution.executor import CollectedErrors, collect_iterator_awaitables
    from graphql.execution.incremental.build_execution_plan import build_execution_plan
    from graphql.execution.incremental.computation import Computation
    from graphql.execution.incremental.incremental_executor import (
        DeliveryGroup,
        ExecutionGroup,
        IncrementalExecutor,
        ItemStream,
        should_defer,
    )
    from graphql.execution.incremental.stream_item_queue import StreamItemQueue

    assert issubclass(StrawberryGraphQLCoreExecutionContext, IncrementalExecutor)
    assert DeferUsage._fields == ("directive_node", "label", "parent_defer_usage")
    assert FieldDetails._fields[:2] == ("node", "defer_usage")
    assert list(inspect.signature(collect_fields).parameters)[:5] == [
        "schema",
        "fragments",
        "variable_values",
        "runtime_type",
        "operation",
    ]
    assert list(inspect.signature(collect_subfields).parameters)[:6] == [
        "schema",
        "fragments",
        "variable_values",
        "operation",
        "return_type",
        "field_details_list",
    ]
    assert list(inspect.signature(build_execution_plan).parameters) == [
        "original_grouped_field_set",
        "parent_defer_usages",
    ]
    assert list(inspect.signature(should_defer).parameters) == ["parent_defer_usages", "defer_usage_set"]
    assert list(inspect.signature(DeliveryGroup).parameters) == ["path", "label", "parent"]
    assert list(inspect.signature(ExecutionGroup).parameters) == ["groups", "computation", "path"]
    assert list(inspect.signature(ItemStream).parameters) == ["path", "label", "queue", "initial_count"]
    assert list(inspect.signature(Computation).parameters) == ["fn", "on_abort"]
    assert "eager" in inspect.signature(StreamItemQueue).parameters
    assert callable(collect_iterator_awaitables) and FragmentDetails._fields[0] == "definition"
    for name in (
        "create_sub_executor",
        "prime_now",
        "prime_soon",
        "build_execution_group_result",
        "build_stream_item_result",
        "abort",
        "abort_in_background",
        "track_async_work",
        "cancel_incremental_work",
        "build_response",
    ):
        assert callable(getattr(IncrementalExecutor, name, None)), f"IncrementalExecutor lost `{name}`"
    schema = graphql.build_schema("type Query { a: String }")
    executor = IncrementalExecutor.build(schema, graphql.parse("{ a }"))
    assert isinstance(executor, IncrementalExecutor)
    for name in ("groups", "tasks", "streams", "enable_early_execution", "pending_incremental_futures"):
        assert hasattr(executor, name), f"IncrementalExecutor lost `{name}`"
    assert isinstance(executor.collected_errors, CollectedErrors)


def test_strawberrys_view_and_websocket_handler_have_the_hooks_the_gateway_overrides() -> None:
    # gateway/view.py: an answer in parts goes out through `create_streaming_response`, which Strawberry's
    # view calls for graphql-core's incremental results; graphql-transport-ws sends them from
    # `_send_result_stream`, using `_handle_pre_execution_error` as Strawberry's own does.
    from strawberry.asgi import GraphQL
    from strawberry.schema._graphql_core import GraphQLIncrementalExecutionResults
    from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

    assert GraphQLIncrementalExecutionResults is graphql.ExperimentalIncrementalExecutionResults
    assert list(inspect.signature(GraphQL.create_streaming_response).parameters) == [
        "self",
        "request",
        "stream",
        "sub_response",
        "headers",
    ]
    assert list(inspect.signature(BaseGraphQLTransportWSHandler._send_result_stream).parameters) == [
        "self",
        "operation",
        "result_source",
    ]
    assert callable(BaseGraphQLTransportWSHandler._handle_pre_execution_error)
    assert "GraphQLIncrementalExecutionResults" in inspect.getsource(GraphQL.run)
