"""A circuit breaker per upstream source: a source that keeps failing is not waited on by every request.

Closed, requests go through. After `failures` failures in a row (a 5xx, a timeout, a broken
connection) it opens: requests fail at once, for `cooldown_s`. Then it lets one request through
as a probe (half-open): if that succeeds it closes, else it opens again for another cooldown. An
answer below 500 is a working source, whatever its status, but for 429 (Too Many Requests): the
source asks to be left alone, and the circuit opens at once, for as long as its Retry-After says
(at most `MAX_RETRY_AFTER_S`; without one, the cooldown). Its state is in /metrics
(`gateway_upstream_circuit_open`) and in /readyz.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from gateway.core.metrics import UPSTREAM_CIRCUIT_OPEN

# A Retry-After longer than this is taken as this: one bad header must not silence a source for days.
MAX_RETRY_AFTER_S = 600.0


class CircuitState(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self, source: str, *, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.source = source
        self._threshold = failures
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._open_for_s = cooldown_s
        self._probing = False
        self._open = UPSTREAM_CIRCUIT_OPEN.labels(source)  # looked up once: every answer sets it
        self._open.set(0)

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self._open_for_s:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def allow(self) -> bool:
        """Whether a request may go to the source now; a half-open circuit lets one probe through."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def succeeded(self) -> None:
        self._failures, self._opened_at, self._probing = 0, None, False
        self._open.set(0)

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._open_until(self._cooldown_s)

    def throttled(self, retry_after_s: float | None) -> None:
        """The source answered 429: no request goes to it for `retry_after_s` (its Retry-After), or
        for the cooldown when it gave none; then one probe, as after failures."""
        self._failures = 0
        self._open_until(self._cooldown_s if retry_after_s is None else min(retry_after_s, MAX_RETRY_AFTER_S))

    def _open_until(self, open_for_s: float) -> None:
        self._opened_at, self._open_for_s, self._probing = self._clock(), open_for_s, False
        self._open.set(1)

    def abandoned(self) -> None:
        """A request let through ended without an answer either way (its caller was cancelled)."""
        self._probing = False
