"""What gateway replicas share: Redis when REDIS_URL is set (core/on_redis/), in-process stand-ins otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from gateway.core.audit import AuditLog, MemoryAuditLog
from gateway.core.config import Settings
from gateway.core.events import EventBus, MemoryEventBus
from gateway.core.persisted_queries import MemoryPersistedQueries, PersistedQueries
from gateway.core.reference_cache import MemoryReferenceCache, ReferenceCache


async def _no_redis() -> bool | None:
    return None


@dataclass(frozen=True)
class SharedState:
    """What replicas share; tests may pass their own to build_app to look inside."""

    audit_log: AuditLog
    events: EventBus
    persisted_queries: PersistedQueries = field(default_factory=MemoryPersistedQueries)
    reference_cache: ReferenceCache = field(default_factory=MemoryReferenceCache)
    # Whether Redis answers PING, or None without Redis; readiness asks it, since no other person's
    # data is shown unlogged.
    redis_reachable: Callable[[], Awaitable[bool | None]] = _no_redis


@asynccontextmanager
async def shared_state(settings: Settings) -> AsyncIterator[SharedState]:
    if not settings.redis_url:
        yield SharedState(
            audit_log=MemoryAuditLog(),
            events=MemoryEventBus(),
            persisted_queries=MemoryPersistedQueries(settings.apq_max_entries),
        )
        return
    # The Redis client (some 8 MB resident) is loaded only by a gateway that uses it.
    from gateway.core.on_redis import shared_state_on_redis

    async with shared_state_on_redis(settings, settings.redis_url) as state:
        yield state
