"""The access log against a real Redis, and fail-closed when the log refuses a write
(docs/access-rules.md#the-access-log)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from redis.asyncio import Redis

from gateway.app import build_app
from gateway.core.audit import AuditBasis, AuditEntry, MemoryAuditLog
from gateway.core.on_redis.audit import RedisAuditLog
from gateway.policy.clock import fixed_clock
from gateway.policy.vocabulary import Basis, Service
from gateway.serving import serving
from sandbox import Sandbox
from sandbox.seed import JONAS, KARI
from tests.support import TEST_NOW, GatewayClient, redis_url_or_skip, settings_for

READ_JONAS = 'query ReadJonas { person(id: "20821250162") { name { full } threads { totalCount } } }'
LOG = "{ viewer { person { accessLog { totalCount nodes { actorId basis services operationName } } } } }"


def _entry(subject: str, at_minute: int) -> AuditEntry:
    return AuditEntry(
        at=TEST_NOW + dt.timedelta(minutes=at_minute),
        actor_id=KARI,
        actor_name="Kari Nordmann",
        subject_id=subject,
        basis=AuditBasis.PARENT,
        services=(Service.INNBOKS,),
        operation="Op",
    )


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url_or_skip())
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex}:"


async def test_memory_log_keeps_entries_per_subject_newest_first() -> None:
    log = MemoryAuditLog()
    await log.append([_entry(JONAS, 1), _entry(KARI, 2)])
    await log.append([_entry(JONAS, 3)])
    assert [e.at.minute for e in await log.entries_for(JONAS)] == [3, 1]
    assert len({e.id for e in await log.entries_for(JONAS)}) == 2


async def test_redis_log_round_trips_entries_newest_first(redis: Redis, prefix: str) -> None:
    log = RedisAuditLog(redis, prefix=prefix)
    await log.append([_entry(JONAS, 1), _entry(KARI, 2)])
    await log.append([_entry(JONAS, 3)])
    entries = await log.entries_for(JONAS)
    assert [(e.at, e.actor_id, e.basis, e.services) for e in entries] == [
        (TEST_NOW + dt.timedelta(minutes=3), KARI, AuditBasis.PARENT, (Service.INNBOKS,)),
        (TEST_NOW + dt.timedelta(minutes=1), KARI, AuditBasis.PARENT, (Service.INNBOKS,)),
    ]
    assert await redis.xlen(f"{prefix}{JONAS}") == 2
    await redis.delete(f"{prefix}{JONAS}", f"{prefix}{KARI}")


# An entry as every gateway so far has stored it: the wire keeps these strings, the record types them.
STORED = (
    b'{"at":"2026-11-26T09:00:00+00:00","actorId":"12848510058","actorName":"Kari Nordmann",'
    b'"subjectId":"20821250162","basis":"PARENT","services":["INNBOKS","TIMEAVTALER"],"operation":"ReadJonas"}'
)


def test_an_entry_is_stored_in_the_same_strings_as_before() -> None:
    entry = AuditEntry.from_json("1-0", STORED)
    assert (entry.basis, entry.services) == (AuditBasis.PARENT, (Service.INNBOKS, Service.TIMEAVTALER))
    assert entry.to_json() == STORED


def test_every_representation_basis_but_self_can_be_logged() -> None:
    assert {b.value for b in Basis if b is not Basis.SELF} <= {b.value for b in AuditBasis}


async def test_a_stored_entry_with_an_unknown_basis_or_service_still_reads(
    redis: Redis, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Written by a newer gateway, say: the entry is shown, its unknown basis as UNKNOWN and its unknown
    service left out, each with a warning; never an access log that cannot be read."""
    newer = STORED.replace(b'"PARENT"', b'"GUARDIAN"').replace(b'"TIMEAVTALER"', b'"TANNHELSE"')
    await redis.xadd(f"{prefix}{JONAS}", {"entry": STORED})
    await redis.xadd(f"{prefix}{JONAS}", {"entry": newer})
    with caplog.at_level(logging.WARNING, logger="gateway"):
        entries = await RedisAuditLog(redis, prefix=prefix).entries_for(JONAS)
    await redis.delete(f"{prefix}{JONAS}")
    assert [(e.basis, e.services, e.operation) for e in entries] == [
        (AuditBasis.UNKNOWN, (Service.INNBOKS,), "ReadJonas"),
        (AuditBasis.PARENT, (Service.INNBOKS, Service.TIMEAVTALER), "ReadJonas"),
    ]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sorted(warned) == [
        "access log: unknown AuditBasis 'GUARDIAN', taken as UNKNOWN",
        "access log: unknown Service 'TANNHELSE' ignored",
    ]


async def test_reads_by_a_parent_land_in_the_redis_stream(sandbox: Sandbox, redis: Redis, prefix: str) -> None:
    app = build_app(
        settings_for(sandbox, redis_url=redis_url_or_skip(), redis_prefix=prefix), clock=fixed_clock(TEST_NOW)
    )
    async with serving(app) as url, aiohttp.ClientSession() as http:
        client = GatewayClient(url, http)
        read = await client.execute(READ_JONAS, as_pid=KARI)
        assert read["data"]["person"]["name"]["full"] == "Jonas Nordmann"
        log = (await client.execute(LOG, as_pid=JONAS))["data"]["viewer"]["person"]["accessLog"]
    assert log["nodes"] == [{"actorId": KARI, "basis": "PARENT", "services": ["INNBOKS"], "operationName": "ReadJonas"}]
    assert await redis.xlen(f"{prefix}audit:{JONAS}") == 1
    await redis.delete(f"{prefix}audit:{JONAS}")


async def test_a_refused_audit_write_withholds_the_data(sandbox: Sandbox, redis: Redis, prefix: str) -> None:
    # A real Redis that refuses the write: an ACL user that may read but not XADD.
    user, password = f"ro-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    await redis.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "&*", "+@all", "-xadd")
    host = redis.connection_pool.connection_kwargs.get("host", "127.0.0.1")
    port = redis.connection_pool.connection_kwargs.get("port", 6379)
    readonly_url = f"redis://{user}:{password}@{host}:{port}/0"
    try:
        app = build_app(settings_for(sandbox, redis_url=readonly_url, redis_prefix=prefix), clock=fixed_clock(TEST_NOW))
        async with serving(app) as url, aiohttp.ClientSession() as http:
            client = GatewayClient(url, http)
            refused = await client.execute(READ_JONAS, as_pid=KARI)
            own = await client.execute("{ viewer { person { name { full } } } }", as_pid=KARI)
    finally:
        await redis.execute_command("ACL", "DELUSER", user)
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert "Jonas" not in str(refused)
    # Reading one's own data needs no audit entry, so it still works.
    assert own == {"data": {"viewer": {"person": {"name": {"full": "Kari Nordmann"}}}}}
    assert await redis.exists(f"{prefix}audit:{JONAS}") == 0


async def test_an_unreachable_audit_log_withholds_the_data(sandbox: Sandbox, unused_tcp_port: int) -> None:
    url_down = f"redis://127.0.0.1:{unused_tcp_port}/0"
    app = build_app(settings_for(sandbox, redis_url=url_down, upstream_timeout_s=5.0), clock=fixed_clock(TEST_NOW))
    async with serving(app) as url, aiohttp.ClientSession() as http:
        refused = await GatewayClient(url, http).execute(READ_JONAS, as_pid=KARI)
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["AUDIT_UNAVAILABLE"]


async def test_an_unreachable_audit_log_cannot_be_read_and_says_so(sandbox: Sandbox, unused_tcp_port: int) -> None:
    url_down = f"redis://127.0.0.1:{unused_tcp_port}/0"
    app = build_app(settings_for(sandbox, redis_url=url_down, upstream_timeout_s=5.0), clock=fixed_clock(TEST_NOW))
    async with serving(app) as url, aiohttp.ClientSession() as http:
        result = await GatewayClient(url, http).execute(
            "{ viewer { person { accessLog { totalCount } } } }", as_pid=KARI
        )
    assert result["data"] == {"viewer": {"person": {"accessLog": None}}}
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["viewer", "person", "accessLog"], "AUDIT_UNAVAILABLE")
    ]


async def test_readiness_includes_redis_when_it_is_configured(sandbox: Sandbox, unused_tcp_port: int) -> None:
    url = redis_url_or_skip()
    for redis_url, status, redis_state in (
        (url, 200, "ok"),
        (f"redis://127.0.0.1:{unused_tcp_port}/0", 503, "unreachable"),
    ):
        app = build_app(settings_for(sandbox, redis_url=redis_url, upstream_timeout_s=5.0), clock=fixed_clock(TEST_NOW))
        async with serving(app) as base, aiohttp.ClientSession() as http, http.get(f"{base}/readyz") as resp:
            body = await resp.json()
        assert (resp.status, body["redis"]) == (status, redis_state)
        assert set(body["sources"].values()) == {"ok"}
