"""A circuit breaker per upstream source: a source that keeps failing is not waited on by every request.

Closed, requests go through. After `failures` failures in a row (a 5xx, a timeout, a broken
connection) it opens: requests fail at once, for `cooldown_s`. Then it lets one request through
as a probe (half-open): if that succeeds it closes, else it opens again for another cooldown. An
answer below 500 is a working source, whatever its status. Its state is in /metrics
(`gateway_upstream_circuit_open`) and in /readyz.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from gateway.core.metrics import UPSTREAM_CIRCUIT_OPEN


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
        self._probing = False
        self._open = UPSTREAM_CIRCUIT_OPEN.labels(source)  # looked up once: every answer sets it
        self._open.set(0)

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._probing or self._clock() - self._opened_at >= self._cooldown_s:
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
            self._opened_at, self._probing = self._clock(), False
            self._open.set(1)

    def abandoned(self) -> None:
        """A request let through ended without an answer either way (its caller was cancelled)."""
        self._probing = False
