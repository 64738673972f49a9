"""The access log in Redis: a stream per subject, on one Redis or on Redis Cluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.exceptions import RedisError

from gateway.core.audit import AuditEntry


class RedisAuditLog:
    """A Redis stream per subject (`audit:<id>`), written in one MULTI/EXEC for the whole request."""

    def __init__(self, redis: Redis, prefix: str = "audit:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for entry in entries:
                pipe.xadd(self._prefix + entry.subject_id, {"entry": entry.to_json()})
            await pipe.execute()

    async def entries_for(self, subject_id: str) -> list[AuditEntry]:
        return _entries(await self._redis.xrevrange(self._prefix + subject_id))


class ClusterAuditLog:
    """On Redis Cluster: each subject's stream lives in its own slot (`audit:{<id>}`), so a request's
    entries are written shard by shard, not in one transaction; a refused write still withholds the
    data, and the entries written meanwhile stay (a logged access that was not delivered, never the
    reverse).

    Each shard's writes are then confirmed with WAIT: an entry counts as written once `wait_replicas`
    of the shard's replicas have it (or all it has, when it has fewer: a master left without replicas
    by a failover keeps serving, its entries as safe as on one Redis until a replica joins). So a
    failover that promotes a replica that confirmed loses none. Replication stays asynchronous: with
    several replicas the one promoted may not be one that confirmed, and a partition can lose writes
    (the README says what is promised)."""

    def __init__(self, redis: RedisCluster, prefix: str, wait_replicas: int, wait_timeout_ms: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._wait_replicas = wait_replicas
        self._wait_timeout_ms = wait_timeout_ms

    def _key(self, subject_id: str) -> str:
        return f"{self._prefix}{{{subject_id}}}"

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        # One pipeline: the commands for each shard go over one connection, so WAIT covers its XADDs.
        async with self._redis.pipeline(transaction=False) as pipe:
            waits: dict[str, tuple[ClusterNode, int]] = {}
            for entry in entries:
                key = self._key(entry.subject_id)
                pipe.xadd(key, {"entry": entry.to_json()})
                node = self._redis.get_node_from_key(key)
                if node is None:  # the slot has no master now: a failover under way
                    raise NotReplicated("no master serves an access-log entry's slot")
                waits[node.name] = (node, min(self._wait_replicas, self._replicas(key)))
            asked = [(node, replicas) for node, replicas in waits.values() if replicas]
            for node, replicas in asked:
                pipe.execute_command("WAIT", replicas, self._wait_timeout_ms, target_nodes=node)
            replies = await pipe.execute()
        confirmed = replies[len(entries) :]
        if any(int(got) < replicas for got, (_, replicas) in zip(confirmed, asked, strict=True)):
            # A replica may have gone since the slot map was read: read it again for the next request.
            await self._redis.nodes_manager.initialize()
            raise NotReplicated("an access-log entry reached fewer replicas than asked in time")

    def _replicas(self, key: str) -> int:
        """How many replicas serve `key`'s slot, by the client's map of the cluster (CLUSTER SLOTS, which
        leaves out failed nodes)."""
        return max(len(self._redis.nodes_manager.slots_cache.get(self._redis.keyslot(key), ())) - 1, 0)

    async def entries_for(self, subject_id: str) -> list[AuditEntry]:
        return _entries(await self._redis.xrevrange(self._key(subject_id)))


class NotReplicated(RedisError):
    """WAIT answered fewer replicas than asked for: the entry could be lost in a failover."""


def _entries(rows: Any) -> list[AuditEntry]:
    # redis-py types the reply, an entry's id and its fields as optional (XCLAIM can answer a deleted
    # entry so); XREVRANGE answers a list of whole entries, newest first.
    assert rows is not None
    return [
        AuditEntry.from_json(_text(entry_id), fields[b"entry"])
        for entry_id, fields in rows
        if entry_id is not None and fields is not None
    ]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
