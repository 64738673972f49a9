"""What reaches the client of an error: public errors as they are, upstream failures named, the rest masked."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import InternalError, PublicError, SourceUnavailable
from gateway.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS
from gateway.sources.errors import SourceError

log = logging.getLogger("gateway.errors")


def public_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it, keeping its path and locations."""
    original = error.original_error
    if original is None or isinstance(original, PublicError):
        return error  # parse, validation and our own errors are already fit to show
    replacement: PublicError
    if isinstance(original, SourceError):
        replacement = SourceUnavailable(original.source)
    else:
        replacement = InternalError()
    return GraphQLError(
        replacement.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=replacement,
        extensions=replacement.extensions,
    )


class PublicErrors(SchemaExtension):
    """Runs after execution, so every path (queries, mutations, subscriptions) is covered."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            for error in result.errors:
                original = error.original_error
                if isinstance(original, SourceError):
                    log.warning("upstream failed: %s", original)
                elif original is not None and not isinstance(original, PublicError):
                    log.error("unexpected error at %s", error.path, exc_info=original)
            result.errors = [public_error(e) for e in result.errors]


class OperationMetrics(SchemaExtension):
    """Counts and times every operation for /metrics."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            operation = context.operation_type.value
        except (RuntimeError, AttributeError):
            operation = "invalid"  # the document did not parse or names no operation
        outcome = "error" if context.result is not None and context.result.errors else "ok"
        GRAPHQL_REQUESTS.labels(operation, outcome).inc()
        GRAPHQL_LATENCY.labels(operation).observe(time.perf_counter() - started)
