"""Schema extensions: public errors, metrics, masked fields and the access log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.audit import AuditEntry
from gateway.context import GatewayContext
from gateway.errors import AuditUnavailable, InternalError, PublicError, SourceUnavailable
from gateway.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS
from gateway.policy.representation import Allowed
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


class MaskedFields(SchemaExtension):
    """Lists the fields nulled by masking in the response's `extensions.masked` (DESIGN.md 4.6)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        masked = getattr(context, "masked", None)
        return {"masked": masked} if masked else {}


class AuditTrail(SchemaExtension):
    """Writes one access-log entry per subject other than the viewer, after execution and before the
    response leaves. If the log refuses the write, the data is withheld: no unaudited access."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context: GatewayContext = self.execution_context.context
        result = self.execution_context.result
        if result is None or not context.touched:
            return
        entries = audit_entries(context, self.execution_context.operation_name)
        try:
            await context.audit_log.append(entries)
        except Exception:
            log.exception("access log write failed; withholding the response data")
            result.data = None
            result.errors = [AuditUnavailable()]


def audit_entries(context: GatewayContext, operation: str | None) -> list[AuditEntry]:
    principal = context.principal
    actor = principal.pid or principal.client_id or "unknown"
    entries = []
    for subject_id, services in sorted(context.touched.items()):
        decided = context.subjects.get(subject_id)
        access = getattr(decided, "access", None)
        basis = access.basis.value if isinstance(access, Allowed) else "SERVICE"
        entries.append(
            AuditEntry(
                at=context.now,
                actor_id=actor,
                actor_name=context.viewer_name if principal.pid else principal.client_id,
                subject_id=subject_id,
                basis=basis,
                services=tuple(sorted(s.value for s in services)),
                operation=operation,
            )
        )
    return entries
