"""The Strawberry schema: root types merged from each domain, and the schema object."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.types import ExecutionContext

from gateway.context import GatewayContext
from gateway.schema.directives import describe_directive_arguments
from gateway.schema.extensions import AuditTrail, MaskedFields, OperationMetrics, PublicErrors
from gateway.schema.mutations import Mutation
from gateway.schema.query import PersonQuery
from gateway.schema.subscription import Subscription
from gateway.schema.viewer import ViewerQuery


@strawberry.type(description="Reads: the viewer, and the persons they may act for.")
class Query(ViewerQuery, PersonQuery):
    pass


class GatewaySchema(strawberry.federation.Schema):
    async def stream(
        self, query: str | None, variable_values: Any = None, context_value: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        # A WebSocket connection shares one context among its operations; give each its own, so
        # loaders and decisions of one never serve another (graphql-js #894).
        if isinstance(context_value, GatewayContext):
            context_value = context_value.for_operation()
        return await super().stream(query, variable_values, context_value, *args, **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # PublicErrors logs what matters; Strawberry's default logs every denial with a traceback.
        pass


def build_schema(max_depth: int = 12) -> GatewaySchema:
    built = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        federation_version="2.11",
        extensions=[
            OperationMetrics,
            PublicErrors,
            AuditTrail,
            MaskedFields,
            lambda: QueryDepthLimiter(max_depth=max_depth),
            # Clients send the same few documents again and again: parse and validate each once.
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
    describe_directive_arguments(built._schema)
    return built


schema = build_schema()


def sdl() -> str:
    """The schema as checked in at schema.graphql."""
    return schema.as_str() + "\n"
