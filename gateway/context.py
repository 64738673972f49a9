"""Per-request context: who is asking, the request's loaders, and the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from gateway.auth import Principal
from gateway.sources.loaders import Loaders

if TYPE_CHECKING:
    from gateway.resolvers.subjects import Subject


@dataclass
class GatewayContext:
    principal: Principal
    loaders: Loaders
    # One instant per request, so every decision in it sees the same "now".
    now: dt.datetime
    # The access decision per subject id, made once per request (DESIGN.md 4.4, "keep it cheap").
    subjects: dict[str, Subject] = field(default_factory=dict)
    request: Any = None


Info: TypeAlias = strawberry.Info[GatewayContext, Any]
