"""Schema extensions: public errors, metrics, masked fields and the access log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import ExperimentalIncrementalExecutionResults, GraphQLError, InitialIncrementalExecutionResult
from strawberry.extensions import SchemaExtension

from gateway.core.errors import AuditUnavailable, InternalError, PublicError, SourceUnavailable
from gateway.core.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS
from gateway.request.context import GatewayContext
from gateway.sources.errors import SourceError
from gateway.tracing import operation_span

log = logging.getLogger("gateway.core.errors")


def as_public(exc: Exception) -> PublicError:
    """The error a client may see for an exception raised while resolving."""
    if isinstance(exc, PublicError):
        return exc
    if isinstance(exc, SourceError):
        log.warning("upstream failed: %s", exc)
        return SourceUnavailable(exc.source)
    log.error("unexpected error", exc_info=exc)
    return InternalError()


def public_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it, keeping its path and locations; every one with a code."""
    original = error.original_error
    if isinstance(original, PublicError):
        return error
    if not error.path and (original is None or isinstance(original, GraphQLError)):
        # graphql-core's own: the document does not parse or validate, or a variable does not coerce.
        if "code" not in (error.extensions or {}):
            error.extensions = {**(error.extensions or {}), "code": _request_error_code(error)}
        return error
    # An error at a path without a public cause (e.g. a null in a non-null field) is our bug.
    replacement = as_public(original) if isinstance(original, Exception) else InternalError()
    return GraphQLError(
        replacement.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=replacement,
        extensions=replacement.extensions,
    )


def _request_error_code(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable "):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def whole_result(result: Any) -> Any:
    """The operation's result if it is one whole answer; an answer in parts (@defer, @stream) is
    checked part by part as it leaves (schema/incremental.py), with the same rules."""
    return (
        None
        if isinstance(result, ExperimentalIncrementalExecutionResults | InitialIncrementalExecutionResult)
        else result
    )


class PublicErrors(SchemaExtension):
    """Runs after execution of a query or mutation. (An error that ends a subscription stream does not
    pass here; the subscription resolver shapes it with `as_public`.)"""

    def on_operation(self) -> Iterator[None]:
        yield
        result = whole_result(self.execution_context.result)
        if result is not None and result.errors:
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
        result = context.result
        outcome = "error" if result is not None and getattr(result, "errors", None) else "ok"
        GRAPHQL_REQUESTS.labels(operation, outcome).inc()
        GRAPHQL_LATENCY.labels(operation).observe(time.perf_counter() - started)


class OperationSpan(SchemaExtension):
    """A span per operation, its name and type only, when tracing is on (gateway/tracing.py)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        tracer = context.context.tracer if isinstance(context.context, GatewayContext) else None
        if tracer is None:
            yield
            return
        with operation_span(tracer, context.operation_type.value, context.operation_name):
            yield


class MaskedFields(SchemaExtension):
    """Lists the fields nulled by masking in the response's `extensions.masked`
    (docs/access-rules.md#confidential-address-masking)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        masked = context.decisions.masked if isinstance(context, GatewayContext) else None
        return {"masked": masked} if masked else {}


class AuditTrail(SchemaExtension):
    """Writes one access-log entry per subject other than the viewer, after execution and before the
    response leaves. If the log refuses the write, the data is withheld: no unaudited access."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = whole_result(self.execution_context.result)
        if result is None or not isinstance(context, GatewayContext):
            return
        try:
            await context.decisions.write_access_log(self.execution_context.operation_name)
        except AuditUnavailable as refused:
            log.error("access log write failed; withholding the response data", exc_info=refused.__cause__)
            result.data = None
            result.errors = [refused]
