"""What replicas share, kept in Redis (REDIS_URL): one Redis, or a Redis Cluster.

Imported only when REDIS_URL is set (core/shared.py): a gateway without Redis loads no Redis client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from gateway.core.audit import AuditLog
from gateway.core.config import Settings
from gateway.core.events import EventBus
from gateway.core.on_redis.audit import ClusterAuditLog, RedisAuditLog
from gateway.core.on_redis.events import RedisEventBus, ShardedEventBus
from gateway.core.on_redis.persisted_queries import RedisPersistedQueries
from gateway.core.on_redis.reference_cache import RedisReferenceCache
from gateway.core.shared import SharedState

# REDIS_URL schemes naming a Redis Cluster (any of its nodes; the client finds the others).
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def cluster_url(url: str) -> str | None:
    """The node URL to start from when `url` names a Redis Cluster, else None."""
    scheme, _, rest = url.partition("://")
    plain = CLUSTER_SCHEMES.get(scheme.lower())
    return f"{plain}://{rest}" if plain else None


@asynccontextmanager
async def shared_state_on_redis(settings: Settings, url: str) -> AsyncIterator[SharedState]:
    node = cluster_url(url)
    if node is not None:
        async with _on_cluster(settings, node) as state:
            yield state
        return
    redis = Redis.from_url(url, socket_timeout=settings.upstream_timeout_s)
    # The pub/sub listener blocks on reads for as long as no event comes: no socket timeout there.
    listening = Redis.from_url(url)
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

    async def reachable() -> bool:
        try:
            return bool(await redis.ping())
        except (RedisError, OSError):
            return False

    return SharedState(
        audit_log=audit_log,
        events=events,
        persisted_queries=RedisPersistedQueries(redis, prefix=settings.redis_prefix + "apq:", ttl_s=settings.apq_ttl_s),
        reference_cache=RedisReferenceCache(redis, prefix=settings.redis_prefix + "ref:"),
        redis_reachable=reachable,
    )
