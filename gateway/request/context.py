"""Per-request context: who is asking, the request's loaders, the clock, and what the rules decided."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from gateway.core.audit import AuditLog
from gateway.core.auth import Principal
from gateway.core.events import EventBus
from gateway.policy.clock import Clock
from gateway.policy.representation import Denied
from gateway.policy.vocabulary import Reason, Service, Visibility
from gateway.sources import Sources
from gateway.sources.loaders import Loaders

if TYPE_CHECKING:
    from gateway.resolvers.subjects import Subject


@dataclass
class GatewayContext:
    principal: Principal
    sources: Sources
    clock: Clock
    audit_log: AuditLog
    events: EventBus
    request: Any = None
    # Set by graphql-transport-ws from the connection_init payload (Strawberry fills it in).
    connection_params: dict[str, Any] | None = None
    # A live subscription checks the viewer's rights again at least this often.
    recheck_s: float = 30.0
    # One instant per request, so every decision in it sees the same "now".
    now: dt.datetime = field(init=False)
    loaders: Loaders = field(init=False)
    # Decisions made once per request (DESIGN.md 4.4, "keep it cheap"): per subject id, and per
    # (subject id, service).
    subjects: dict[str, Subject | Denied | None] = field(init=False)
    deciding: dict[str, asyncio.Future[Subject | Denied | None]] = field(init=False)
    visibilities: dict[tuple[str, Service], Visibility | Denied] = field(init=False)
    # For the access log: the services touched per subject other than the viewer.
    touched: dict[str, set[Service]] = field(init=False)
    audited: set[str] = field(init=False)  # subjects whose entry this request already wrote
    viewer_name: str | None = field(init=False, default=None)
    # Fields nulled by masking, reported in the response's extensions.masked.
    masked: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        """Start afresh: new loaders, a new "now", no remembered decisions.

        A WebSocket operation lives long; each event of a subscription is a request of its own, so
        it sees current data and current rights (a revoked fullmakt ends the stream).
        """
        self.now = self.clock()
        self.loaders = Loaders(self.sources)
        self.subjects, self.deciding, self.visibilities = {}, {}, {}
        self.touched, self.audited, self.masked = {}, set(), []

    def for_operation(self) -> GatewayContext:
        """A context of its own for one operation on a shared WebSocket connection."""
        return dataclasses.replace(self)

    def mask(self, path: list[str | int], reason: Reason) -> None:
        self.masked.append({"path": path, "reason": reason.value})


Info: TypeAlias = strawberry.Info[GatewayContext, Any]
