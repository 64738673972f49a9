"""What gateway replicas share: Redis when REDIS_URL is set, in-process stand-ins otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from gateway.core.audit import AuditLog, ClusterAuditLog, MemoryAuditLog, RedisAuditLog
from gateway.core.config import Settings
from gateway.core.events import EventBus, MemoryEventBus, RedisEventBus, ShardedEventBus
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
    redis: Redis | RedisCluster | None = None

    async def redis_reachable(self) -> bool | None:
        """None without Redis; else whether it answers PING."""
        if self.redis is None:
            return None
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False


# REDIS_URL schemes naming a Redis Cluster (any of its nodes; the client finds the others).
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def cluster_url(url: str) -> str | None:
    """The node URL to start from when `url` names a Redis Cluster, else None."""
    scheme, _, rest = url.partition("://")
    plain = CLUSTER_SCHEMES.get(scheme.lower())
    return f"{plain}://{rest}" if plain else None


@asynccontextmanager
async def shared_state(settings: Settings) -> AsyncIterator[SharedState]:
    if not settings.redis_url:
        yield SharedState(
            audit_log=MemoryAuditLog(),
            events=MemoryEventBus(),
            persisted_queries=MemoryPersistedQueries(settings.apq_max_entries),
        )
        return
    node = cluster_url(settings.redis_url)
    if node is not None:
        async with _on_cluster(settings, node) as state:
            yield state
        return
    redis = Redis.from_url(settings.redis_url, socket_timeout=settings.upstream_timeout_s)
    # The pub/sub listener blocks on reads for as long as no event comes: no socket timeout there.
    listening = Redis.from_url(settings.redis_url)
    events = RedisEventBus(redis, listening, settings.redis_prefix)
    try:
        yield _on_redis(settings, redis, RedisAuditLog(redis, prefix=settings.redis_prefix + "audit:"), events)
    finally:
        await events.close()
        await listening.aclose()
        await redis.aclose()


@asynccontextmanager
async def _on_cluster(settings: Settings, node_url: str) -> AsyncIterator[SharedState]:
    """Redis Cluster: keys and channels of a subject in its own slot, events by sharded pub/sub."""
    # A shard whose master died fails a request after a short retry instead of holding it for the failover:
    # audited reads fail closed in the gap (AUDIT_UNAVAILABLE) and work once a replica has taken over.
    retry = Retry(ExponentialBackoff(cap=0.25, base=0.05), retries=2)
    cluster = RedisCluster.from_url(node_url, socket_timeout=settings.upstream_timeout_s, retry=retry)
    events = ShardedEventBus(cluster, settings.redis_prefix)
    prefix = settings.redis_prefix + "audit:"
    audit_log = ClusterAuditLog(cluster, prefix, settings.redis_wait_replicas, settings.redis_wait_timeout_ms)
    try:
        yield _on_redis(settings, cluster, audit_log, events)
    finally:
        await events.close()
        await cluster.aclose()


def _on_redis(settings: Settings, redis: Redis | RedisCluster, audit_log: AuditLog, events: EventBus) -> SharedState:
    """The state kept in `redis` (one Redis or a cluster), with its access log and event bus."""
    return SharedState(
        audit_log=audit_log,
        events=events,
        persisted_queries=RedisPersistedQueries(redis, prefix=settings.redis_prefix + "apq:", ttl_s=settings.apq_ttl_s),
        reference_cache=RedisReferenceCache(redis, prefix=settings.redis_prefix + "ref:"),
        redis=redis,
    )
