"""What gateway replicas share: Redis when REDIS_URL is set, in-process stand-ins otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.core.audit import AuditLog, MemoryAuditLog, RedisAuditLog
from gateway.core.config import Settings
from gateway.core.events import EventBus, MemoryEventBus, RedisEventBus
from gateway.core.persisted_queries import MemoryPersistedQueries, PersistedQueries, RedisPersistedQueries
from gateway.core.reference_cache import MemoryReferenceCache, RedisReferenceCache, ReferenceCache


@dataclass(frozen=True)
class SharedState:
    """What replicas share; tests may pass their own to build_app to look inside."""

    audit_log: AuditLog
    events: EventBus
    persisted_queries: PersistedQueries = field(default_factory=MemoryPersistedQueries)
    reference_cache: ReferenceCache = field(default_factory=MemoryReferenceCache)
    # None without Redis; readiness pings it, since no other person's data is shown unlogged.
    redis: Redis | None = None

    async def redis_reachable(self) -> bool | None:
        """None without Redis; else whether it answers PING."""
        if self.redis is None:
            return None
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False


@asynccontextmanager
async def shared_state(settings: Settings) -> AsyncIterator[SharedState]:
    if not settings.redis_url:
        yield SharedState(
            audit_log=MemoryAuditLog(),
            events=MemoryEventBus(),
            persisted_queries=MemoryPersistedQueries(settings.apq_max_entries),
        )
        return
    redis = Redis.from_url(settings.redis_url, socket_timeout=settings.upstream_timeout_s)
    # The pub/sub listener blocks on reads for as long as no event comes: no socket timeout there.
    listening = Redis.from_url(settings.redis_url)
    events = RedisEventBus(redis, listening, settings.redis_prefix)
    try:
        audit_log = RedisAuditLog(redis, prefix=settings.redis_prefix + "audit:")
        queries = RedisPersistedQueries(redis, prefix=settings.redis_prefix + "apq:", ttl_s=settings.apq_ttl_s)
        yield SharedState(
            audit_log=audit_log,
            events=events,
            persisted_queries=queries,
            reference_cache=RedisReferenceCache(redis, prefix=settings.redis_prefix + "ref:"),
            redis=redis,
        )
    finally:
        await events.close()
        await listening.aclose()
        await redis.aclose()
