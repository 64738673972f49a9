"""The gateway on a real Redis Cluster (3 masters, 3 replicas; tests/e2e/redis_cluster.py), with
REDIS_URL=redis+cluster://... and WAIT for one replica (GATEWAY_REDIS_WAIT_REPLICAS=1).

The access log and inbox events across two replicas run in test_replicas.py and test_workers.py on
both a single Redis and this cluster. Here: a master is killed. Reads of Ola by Kari go on through the
failover, each one audited: before the kill they are answered; in the gap (the dead master's slots
served by no one) they are refused with AUDIT_UNAVAILABLE, data withheld; once a replica has taken
over they are answered again. Then Ola's access log, read from the new master, holds every read that
was answered: an entry acknowledged (WAIT: on the replica) before the kill is not lost.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.seed import KARI, OLA
from tests.e2e.redis_cluster import Cluster, redis_cluster
from tests.support import GatewayClient, gateway_for, until

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server and redis-cli")

OWN_LOG = """query OwnLog { viewer { person { accessLog(first: 100) {
  totalCount nodes { actorId basis operationName } } } } }"""


def _read(n: int) -> str:
    """A read of Ola's GP by fullmakt, told apart in the access log by its operation name."""
    return f'query Read{n} {{ person(id: "{OLA}") {{ healthContacts {{ name }} }} }}'


@pytest.fixture
async def cluster(unused_tcp_port_factory: Callable[[], int], tmp_path: Path) -> AsyncIterator[Cluster]:
    async with redis_cluster(unused_tcp_port_factory, tmp_path / "cluster") as running:
        yield running


async def test_audited_reads_fail_closed_in_a_failover_and_no_acknowledged_entry_is_lost(
    sandbox: Sandbox, cluster: Cluster
) -> None:
    prefix = f"test-{uuid.uuid4().hex}:"
    settings = {"redis_url": cluster.url, "redis_prefix": prefix, "redis_wait_replicas": 1}
    async with gateway_for(sandbox, **settings) as gateway:
        kari = await gateway.token(KARI)
        reads = iter(range(1, 10_000))
        answered: list[str] = []

        async def read() -> dict[str, Any]:
            n = next(reads)
            result = await gateway.execute(_read(n), token=kari)
            if result.get("data") and result["data"]["person"]:
                answered.append(f"Read{n}")
            else:  # refused whole: never data without its entry
                assert result["data"] is None, result
                assert [e["extensions"]["code"] for e in result["errors"]] == ["AUDIT_UNAVAILABLE"], result
            return result

        for _ in range(5):
            assert (await read())["data"]["person"]["healthContacts"]
        before_kill = list(answered)

        await cluster.kill(await cluster.master_of(f"{prefix}audit:{{{OLA}}}"))
        refused = 0

        async def refused_once() -> bool:
            nonlocal refused
            refused += (await read())["data"] is None
            return refused > 0

        await until(refused_once)  # the gap: nobody serves Ola's slot
        answered_before = len(answered)

        async def answered_again() -> bool:
            await read()
            return len(answered) > answered_before

        await until(answered_again)  # a replica took over

        log = await _own_log(gateway, await gateway.token(OLA))
        logged = {node["operationName"] for node in log["nodes"] if node["actorId"] == KARI}
        assert set(before_kill) <= logged, (before_kill, logged)
        assert set(answered) <= logged, (answered, logged)
        assert all(node["basis"] == "PROXY" for node in log["nodes"])


async def _own_log(gateway: GatewayClient, token: str) -> dict[str, Any]:
    result = await gateway.execute(OWN_LOG, token=token)
    assert "errors" not in result, result
    return result["data"]["viewer"]["person"]["accessLog"]
