"""Reference data kept in Redis, shared by the replicas (see core/reference_cache.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from gateway.core.reference_cache import KEPT_FOR_REVALIDATION_S, Entry

log = logging.getLogger("gateway.core.reference_cache")


class RedisReferenceCache:
    def __init__(self, redis: Redis | RedisCluster, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    async def get_many(self, keys: Sequence[str]) -> dict[str, Entry]:
        if not keys:
            return {}
        try:
            names = [self._prefix + key for key in keys]
            # On a cluster the keys lie in many slots: one MGET per shard, not one atomic MGET.
            values = await (
                self._redis.mget_nonatomic(names) if isinstance(self._redis, RedisCluster) else self._redis.mget(names)
            )
        except (RedisError, OSError) as exc:
            log.warning("reference cache lookup failed: %s", type(exc).__name__)
            return {}  # fetched from the source, as without a cache
        return {key: Entry.from_json(raw) for key, raw in zip(keys, values, strict=True) if raw is not None}

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        if not entries:
            return
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, entry in entries.items():
                    keep_s = int(entry.fresh_until - now) + KEPT_FOR_REVALIDATION_S
                    pipe.set(self._prefix + key, entry.to_json(), ex=max(keep_s, 1))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("reference cache not written: %s", type(exc).__name__)
