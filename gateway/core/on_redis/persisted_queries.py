"""Automatic persisted queries kept in Redis, shared by the replicas (see core/persisted_queries.py)."""

from __future__ import annotations

import logging

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from gateway.core.persisted_queries import MAX_DOCUMENT_BYTES

log = logging.getLogger("gateway.core.persisted_queries")


class RedisPersistedQueries:
    def __init__(self, redis: Redis | RedisCluster, prefix: str, ttl_s: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl_s = ttl_s

    async def get(self, sha256: str) -> str | None:
        try:
            found = await self._redis.get(self._prefix + sha256)
        except (RedisError, OSError) as exc:
            log.warning("persisted query lookup failed: %s", type(exc).__name__)
            return None
        return found.decode() if isinstance(found, bytes) else found

    async def put(self, sha256: str, document: str) -> None:
        if len(document.encode()) > MAX_DOCUMENT_BYTES:
            return
        try:
            await self._redis.set(self._prefix + sha256, document, ex=self._ttl_s)
        except (RedisError, OSError) as exc:
            log.warning("persisted query not stored: %s", type(exc).__name__)
