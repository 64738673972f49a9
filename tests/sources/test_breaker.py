"""The circuit breaker per source (gateway/sources/breaker.py), with a clock the test moves."""

from __future__ import annotations

from gateway.sources.breaker import CircuitBreaker, CircuitState
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
