"""Logg over bruk: the subject reads who accessed their data (DESIGN.md 4.7)."""

from __future__ import annotations

from gateway.core.audit import AuditEntry
from gateway.core.errors import Forbidden
from gateway.policy.representation import ClientAccess
from gateway.policy.vocabulary import Reason
from gateway.request.context import GatewayContext
from gateway.resolvers.pagination import Page, SortKey, check_first, instant_key, paginate
from gateway.resolvers.subjects import Subject


def _entry_key(entry: AuditEntry) -> SortKey:
    return (instant_key(entry.at), entry.id)


async def access_log_page(
    ctx: GatewayContext, subject: Subject, *, first: int | None, after: str | None
) -> Page[AuditEntry]:
    """The subject's access log, newest first; only the subject may read it."""
    if isinstance(subject.access, ClientAccess):
        raise Forbidden(Reason.SERVICE_SCOPE)
    if not subject.is_viewer:
        raise Forbidden(Reason.NO_RELATION)
    check_first(first)
    entries = sorted(await ctx.audit_log.entries_for(subject.person.id), key=_entry_key, reverse=True)
    return paginate("AccessLogEntry", entries, key=_entry_key, descending=True, first=first, after=after)
