"""Logg over bruk: the subject reads who accessed their data (docs/access-rules.md#the-access-log)."""

from __future__ import annotations

from gateway.core.audit import AuditEntry
from gateway.core.errors import AuditUnavailable
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate


def _entry_key(entry: AuditEntry) -> SortKey:
    return (instant_key(entry.at), entry.id)


async def access_log_page(
    ctx: GatewayContext, subject: Subject, *, first: int | None, after: str | None
) -> Page[AuditEntry]:
    """The subject's access log, newest first (only the subject reads it: the field's `SelfOnlyGate`)."""
    check_first(first)
    try:
        found = await ctx.audit_log.entries_for(subject.person.id)
    except Exception as exc:  # whatever the store raises (Redis down, a reply it cannot read): its code
        raise AuditUnavailable("The access log could not be read; try again.") from exc
    entries = sorted(found, key=lambda e: (e.at, e.id), reverse=True)
    return paginate("AccessLogEntry", entries, key=_entry_key, descending=True, first=first, after=after)
