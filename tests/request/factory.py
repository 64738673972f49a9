"""Request contexts built the way the gateway builds them (gateway/view.py), over the running sandbox.

Shared by tests/request and tests/resolvers (each conftest makes a `contexts` fixture of it): the
upstreams are the sandbox's real aiohttp servers, the sources are `Sources.build`, and every context
has its own loaders and Decisions, as one GraphQL request has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from gateway.core.audit import AuditLog, MemoryAuditLog
from gateway.core.auth import SERVICE_READ_SCOPE, Principal, PrincipalKind
from gateway.core.events import MemoryEventBus
from gateway.policy.clock import fixed_clock
from gateway.policy.vocabulary import Assurance
from gateway.request.context import GatewayContext
from gateway.request.decisions import Subject
from gateway.sources import Sources
from sandbox import Sandbox
from tests.support import TEST_NOW, settings_for

# Passes the mod-11 check (so it reaches the registry) and belongs to no one in the seed.
NOBODY = "01018510193"


def person(pid: str, *, assurance: Assurance = Assurance.HIGH, expires_at: float | None = None) -> Principal:
    return Principal(PrincipalKind.PERSON, pid=pid, assurance=assurance, expires_at=expires_at)


def service_client(client_id: str = "x", scopes: frozenset[str] = frozenset({SERVICE_READ_SCOPE})) -> Principal:
    return Principal(PrincipalKind.SERVICE, client_id=client_id, scopes=scopes)


class Contexts:
    """Makes one GatewayContext per call, all over the same sources (one pooled session)."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def of(
        self, principal: Principal, *, audit_log: AuditLog | None = None, now: dt.datetime = TEST_NOW
    ) -> GatewayContext:
        return GatewayContext(
            principal=principal,
            sources=self.sources,
            clock=fixed_clock(now),
            audit_log=audit_log if audit_log is not None else MemoryAuditLog(),
            events=MemoryEventBus(),
        )

    def person(self, pid: str, *, now: dt.datetime = TEST_NOW) -> GatewayContext:
        return self.of(person(pid), now=now)

    async def subject(
        self, viewer: str, subject_id: str, *, now: dt.datetime = TEST_NOW
    ) -> tuple[GatewayContext, Subject]:
        """A fresh request of `viewer`, and `subject_id` as the rules let the viewer see them."""
        ctx = self.person(viewer, now=now)
        return ctx, await ctx.decisions.required_subject(subject_id)


@asynccontextmanager
async def contexts_for(sandbox: Sandbox) -> AsyncIterator[Contexts]:
    async with aiohttp.ClientSession() as session:
        yield Contexts(Sources.build(session, settings_for(sandbox)))
