"""Access-log entries for a request (DESIGN.md 4.7): one per subject other than the viewer."""

from __future__ import annotations

from gateway.core.audit import AuditEntry
from gateway.core.errors import AuditUnavailable
from gateway.policy.representation import Allowed
from gateway.policy.vocabulary import Service
from gateway.request.context import GatewayContext
from gateway.resolvers.subjects import Subject


def pending_entries(ctx: GatewayContext, operation: str | None) -> list[AuditEntry]:
    """Entries for every subject touched in this request and not yet written."""
    principal = ctx.principal
    entries = []
    for subject_id, services in sorted(ctx.touched.items()):
        if subject_id in ctx.audited:
            continue
        access = getattr(ctx.subjects.get(subject_id), "access", None)
        entries.append(
            AuditEntry(
                at=ctx.now,
                actor_id=principal.pid or principal.client_id or "unknown",
                actor_name=ctx.viewer_name if principal.pid else principal.client_id,
                subject_id=subject_id,
                basis=access.basis.value if isinstance(access, Allowed) else "SERVICE",
                services=tuple(sorted(s.value for s in services)),
                operation=operation,
            )
        )
    return entries


async def record_before_write(ctx: GatewayContext, subject: Subject, operation: str | None, also: set[Service]) -> None:
    """Write the entry for a representative's write before the write happens: if the log refuses,
    nothing is written upstream either."""
    if subject.is_viewer:
        return
    ctx.touched.setdefault(subject.person.id, set()).update(also)
    entries = [e for e in pending_entries(ctx, operation) if e.subject_id == subject.person.id]
    try:
        await ctx.audit_log.append(entries)
    except Exception as exc:
        raise AuditUnavailable() from exc
    ctx.audited.add(subject.person.id)
