"""Per-request context: who is asking, the request's loaders, the clock, and what the rules decided."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from gateway.audit import AuditLog
from gateway.auth import Principal
from gateway.policy.representation import Denied
from gateway.policy.vocabulary import Reason, Service, Visibility
from gateway.sources.loaders import Loaders

if TYPE_CHECKING:
    from gateway.resolvers.subjects import Subject


@dataclass
class GatewayContext:
    principal: Principal
    loaders: Loaders
    # One instant per request, so every decision in it sees the same "now".
    now: dt.datetime
    audit_log: AuditLog
    request: Any = None
    # Decisions made once per request (DESIGN.md 4.4, "keep it cheap"): per subject id, and per
    # (subject id, service).
    subjects: dict[str, Subject | Denied | None] = field(default_factory=dict)
    visibilities: dict[tuple[str, Service], Visibility | Denied] = field(default_factory=dict)
    # For the access log: the services touched per subject other than the viewer.
    touched: dict[str, set[Service]] = field(default_factory=dict)
    viewer_name: str | None = None
    # Fields nulled by masking, reported in the response's extensions.masked.
    masked: list[dict[str, Any]] = field(default_factory=list)

    def mask(self, path: list[str | int], reason: Reason) -> None:
        self.masked.append({"path": path, "reason": reason.value})


Info: TypeAlias = strawberry.Info[GatewayContext, Any]
