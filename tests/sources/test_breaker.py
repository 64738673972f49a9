"""The circuit breaker per source (gateway/sources/breaker.py), with a clock the test moves."""

from __future__ import annotations

import datetime as dt

from gateway.sources.breaker import MAX_RETRY_AFTER_S, CircuitBreaker, CircuitState
from gateway.sources.http import retry_after_s
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import gateway_for


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("inbox", failures=3, cooldown_s=10.0, clock=clock)


def test_it_opens_after_failures_in_a_row_and_a_success_resets_the_count() -> None:
    b = breaker(Clock())
    for _ in range(2):
        assert b.allow()
        b.failed()
    b.succeeded()
    for _ in range(2):
        b.failed()
    assert b.state is CircuitState.CLOSED and b.allow()
    b.failed()
    assert b.state is CircuitState.OPEN and not b.allow()


def test_after_the_cooldown_one_probe_goes_through_and_decides() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.failed()
    clock.now = 9.9
    assert not b.allow()
    clock.now = 10.0
    assert b.state is CircuitState.HALF_OPEN
    assert b.allow() and not b.allow()  # one probe at a time
    b.failed()  # the probe failed: open for another cooldown
    assert b.state is CircuitState.OPEN and not b.allow()
    clock.now = 20.0
    assert b.allow()
    b.succeeded()
    assert b.state is CircuitState.CLOSED and b.allow() and b.allow()


def test_a_probe_abandoned_by_its_caller_lets_the_next_one_through() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.failed()
    clock.now = 10.0
    assert b.allow()
    b.abandoned()
    assert b.allow()


def test_a_429_opens_the_circuit_at_once_for_its_retry_after() -> None:
    clock = Clock()
    b = breaker(clock)
    b.throttled(30.0)
    assert b.state is CircuitState.OPEN and not b.allow()
    clock.now = 29.9
    assert not b.allow()  # longer than the 10 s cooldown: the source's word counts
    clock.now = 30.0
    assert b.allow() and not b.allow()  # one probe
    b.succeeded()
    assert b.state is CircuitState.CLOSED


def test_a_429_without_retry_after_opens_for_the_cooldown_and_a_huge_one_is_capped() -> None:
    clock = Clock()
    b = breaker(clock)
    b.throttled(None)
    clock.now = 9.9
    assert not b.allow()
    clock.now = 10.0
    assert b.allow()
    b.throttled(10 * 24 * 3600.0)
    clock.now += MAX_RETRY_AFTER_S
    assert b.allow()


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = dt.datetime(2026, 12, 7, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s(" 0 ", now) == 0.0
    assert retry_after_s("Mon, 07 Dec 2026 12:01:30 GMT", now) == 90.0
    assert retry_after_s("Mon, 07 Dec 2026 11:59:00 GMT", now) == 0.0  # past: no wait
    for unusable in (None, "", "soon", "-5", "1.5"):
        assert retry_after_s(unusable, now) is None, unusable


PAGE = "{ viewer { person { threads(first: 1) { totalCount } } } }"


async def test_a_failing_source_is_not_called_while_its_circuit_is_open(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox, breaker_failures=2, breaker_cooldown_s=3600) as client:
        url, http = client.url, client.http
        token = await client.token(KARI)
        sandbox.control("inbox").fail_status = 503
        for _ in range(2):
            await client.execute(PAGE, token=token)
        calls = sandbox.total_requests()["inbox"]
        result = await client.execute(PAGE, token=token)
        assert [(e["extensions"]["code"], e["extensions"]["source"]) for e in result["errors"]] == [
            ("UPSTREAM_UNAVAILABLE", "inbox")
        ]
        assert sandbox.total_requests()["inbox"] == calls  # failed at once, without a call
        async with http.get(f"{url}/readyz") as resp:
            assert (await resp.json())["circuits"]["inbox"] == "open"
        async with http.get(f"{url}/metrics") as resp:
            assert 'gateway_upstream_circuit_open{source="inbox"} 1.0' in await resp.text()


async def test_a_source_back_up_is_used_again_after_one_probe(sandbox: Sandbox) -> None:
    async with gateway_for(sandbox, breaker_failures=2, breaker_cooldown_s=0) as client:
        url, http = client.url, client.http
        token = await client.token(KARI)
        sandbox.control("inbox").fail_status = 503
        for _ in range(2):
            await client.execute(PAGE, token=token)
        sandbox.control("inbox").fail_status = None
        result = await client.execute(PAGE, token=token)  # the probe
        assert "errors" not in result
        async with http.get(f"{url}/readyz") as resp:
            assert (await resp.json())["circuits"]["inbox"] == "closed"


async def test_a_throttled_source_is_left_alone_for_its_retry_after(sandbox: Sandbox) -> None:
    # Before: a 429 counted as a working source, and every request called it again.
    async with gateway_for(sandbox, breaker_failures=5, breaker_cooldown_s=0) as client:
        url, http = client.url, client.http
        token = await client.token(KARI)
        control = sandbox.control("inbox")
        control.throttled, control.retry_after = True, "3600"
        result = await client.execute(PAGE, token=token)
        assert [(e["extensions"]["code"], e["extensions"]["source"]) for e in result["errors"]] == [
            ("UPSTREAM_UNAVAILABLE", "inbox")
        ]
        calls = sandbox.total_requests()["inbox"]
        control.throttled = False  # back, but it asked for an hour
        result = await client.execute(PAGE, token=token)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_UNAVAILABLE"]
        assert sandbox.total_requests()["inbox"] == calls  # not called before its Retry-After
        async with http.get(f"{url}/readyz") as resp:
            assert (await resp.json())["circuits"]["inbox"] == "open"
        async with http.get(f"{url}/metrics") as resp:
            assert 'gateway_upstream_requests_total{outcome="throttled",source="inbox"} 1.0' in await resp.text()
