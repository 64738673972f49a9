"""Per-request context: who is asking, the request's loaders and decisions, and the clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import strawberry
from opentelemetry.trace import Tracer

from gateway.core.audit import AuditLog
from gateway.core.auth import Principal
from gateway.core.events import EventBus
from gateway.policy.clock import Clock
from gateway.request.decisions import Decisions
from gateway.sources import Sources
from gateway.sources.loaders import Loaders


@dataclass
class GatewayContext:
    principal: Principal
    sources: Sources  # for writes; reads go through `loaders`
    clock: Clock
    audit_log: AuditLog
    events: EventBus
    request: Any = None
    # Set by graphql-transport-ws from the connection_init payload (Strawberry fills it in).
    connection_params: dict[str, Any] | None = None
    # A live subscription checks the viewer's rights again at least this often.
    recheck_s: float = 30.0
    # The spans of the request's operations (gateway/tracing.py); None: tracing is off.
    tracer: Tracer | None = None
    # The client reads an answer in parts: @defer and @stream apply (else they are ignored).
    incremental_delivery: bool = False
    # One instant per request, so every decision in it sees the same "now".
    now: dt.datetime = field(init=False)
    loaders: Loaders = field(init=False)
    decisions: Decisions = field(init=False)

    def __post_init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        """Start afresh: a new "now", new loaders, no remembered decisions.

        A WebSocket operation lives long; each event of a subscription is a request of its own, so
        it sees current data and current rights (a revoked fullmakt ends the stream).
        """
        self.decisions = self.fresh_decisions()
        self.loaders = self.decisions.loaders
        self.now = self.decisions.now

    def fresh_decisions(self) -> Decisions:
        """Decisions of a request of their own, with their own loaders, leaving this one's as they are."""
        return Decisions(self.principal, Loaders(self.sources), self.clock(), self.audit_log)

    def for_operation(self) -> GatewayContext:
        """A context of its own for one operation on a shared WebSocket connection."""
        return dataclasses.replace(self)


Info: TypeAlias = strawberry.Info[GatewayContext, Any]
