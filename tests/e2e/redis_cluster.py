"""A real Redis Cluster for the tests: 3 masters and 3 replicas on spare ports, made with
`redis-server --cluster-enabled yes` and `redis-cli --cluster create`, waited for until every slot is
served and every master has its replica in sync; a master can be killed to see a failover."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from redis.asyncio import Redis

from tests.support import until

# Short, so that a failover happens within seconds of a master's death.
NODE_TIMEOUT_MS = 1000
READY_WITHIN_S = 60.0


@dataclass
class Cluster:
    ports: list[int]
    directory: Path
    processes: dict[int, asyncio.subprocess.Process] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """REDIS_URL for the gateway: any node; the client finds the rest."""
        return f"redis+cluster://127.0.0.1:{self.ports[0]}/0"

    async def master_of(self, key: str) -> int:
        """The port of the master that serves `key`'s slot now."""
        async with self._client(self.alive()[0]) as redis:
            slot = await redis.execute_command("CLUSTER", "KEYSLOT", key)
            for start, end, master, *_ in await redis.execute_command("CLUSTER", "SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise LookupError(f"no master serves slot {slot}")

    def alive(self) -> list[int]:
        return [port for port, process in self.processes.items() if process.returncode is None]

    async def kill(self, port: int) -> None:
        process = self.processes[port]
        process.kill()
        await process.wait()

    async def until_healthy(self, masters: int = 3) -> None:
        """Until every node still alive says the cluster is ok and `masters` masters each have an online replica."""
        await until(lambda: self._healthy(masters), READY_WITHIN_S)

    async def _healthy(self, masters: int) -> bool:
        with contextlib.suppress(OSError, ConnectionError, Exception):
            in_sync = 0
            for port in self.alive():
                async with self._client(port) as redis:
                    info = (await redis.execute_command("CLUSTER", "INFO")).decode()
                    if "cluster_state:ok" not in info:
                        return False
                    replication = await redis.info("replication")
                    replica = replication.get("slave0") or {}
                    if replication["role"] == "master" and replica.get("state") == "online":
                        in_sync += 1
            return in_sync == masters
        return False

    async def answers(self, port: int) -> bool:
        with contextlib.suppress(OSError, ConnectionError, Exception):
            async with self._client(port) as redis:
                return bool(await redis.ping())
        return False

    @contextlib.asynccontextmanager
    async def _client(self, port: int) -> AsyncIterator[Redis]:
        redis = Redis(host="127.0.0.1", port=port, socket_timeout=5)
        try:
            yield redis
        finally:
            await redis.aclose()


@contextlib.asynccontextmanager
async def redis_cluster(ports: Callable[[], int], directory: Path) -> AsyncIterator[Cluster]:
    """Six nodes, started, joined into a cluster and healthy; all stopped when the block ends."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    assert server and cli, "redis-server and redis-cli are needed (Debian: redis-server, redis-tools)"
    cluster = Cluster([ports() for _ in range(6)], directory)
    try:
        for port in cluster.ports:
            # The cluster bus on a spare port of its own (by default port + 10000, which may not exist).
            bus = ports()
            node = directory / str(port)
            node.mkdir(parents=True)
            cluster.processes[port] = await asyncio.create_subprocess_exec(
                server,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf",
                "--cluster-port", str(bus),
                "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                "--save", "",
                "--appendonly", "no",
                # A replica's first sync at once, not after the default 5 s wait for more replicas.
                "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0",
                "--dir", str(node),
                "--logfile", str(node / "redis.log"),
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        for port in cluster.ports:
            await until(functools.partial(cluster.answers, port), READY_WITHIN_S)
        create = await asyncio.create_subprocess_exec(
            cli,
            "--cluster", "create", *(f"127.0.0.1:{p}" for p in cluster.ports),
            "--cluster-replicas", "1", "--cluster-yes",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await create.communicate()
        assert create.returncode == 0, output.decode()
        await cluster.until_healthy()
        yield cluster
    finally:
        for process in cluster.processes.values():
            if process.returncode is None:
                process.kill()
                await process.wait()
