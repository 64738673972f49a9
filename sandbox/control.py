"""Fault injection and request counting, the same for all five sandbox services.

`install_control(app)` adds a middleware and three control endpoints, which are neither counted nor
faulted:

    GET  /_sandbox/stats    {"total": n, "byRoute": {"GET /consents": n, ...}, "inFlight": n}
    POST /_sandbox/faults   {"latency_ms"?, "slow_response_ms"?, "fail_status"?, "throttled"?, "retry_after"?,
                             "malformed"?, "down"?, "max_page_size"?, "omit_next_links"?}
    POST /_sandbox/reset    clears faults and counts, and runs the app's reset hooks

Every other request is counted (faulted ones too, since the client did make the call), then delayed
by `latency_ms`, then answered by the first fault that is set: `down`, `fail_status`, `throttled`
(429 Too Many Requests, with `retry_after` as its Retry-After header when set: delta-seconds or an
HTTP-date, sent as given), `malformed`.
`slow_response_ms` instead delays the answer after the request was handled: a write is stored,
and a client that gives up meanwhile never learns it (the case idempotency keys exist for).

Two faults shape FHIR searches (the two FHIR services; the others have no pages): `max_page_size`
caps the entries of a page whatever `_count` asks (null: the server's own cap), and
`omit_next_links` leaves out the `next` link while `total` still counts every match, as Medplum's
in-memory store does: a client sees one page of a longer search.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from sandbox import helseid, maskinporten

CONTROL_PREFIX = "/_sandbox/"
# Served beside a service without being it: the registry's Maskinporten (sandbox/maskinporten.py) and
# the fullmakt source's HelseID (sandbox/helseid.py) are other systems, so the services' faults and
# counts are not theirs.
BESIDE_PREFIXES = (CONTROL_PREFIX, maskinporten.ISSUER_PATH, helseid.ISSUER_PATH + "/")
UNMATCHED_ROUTE = "UNMATCHED"


@dataclass
class Control:
    """The knobs and counters of one sandbox app; tests change the attributes directly."""

    counts: Counter[str] = field(default_factory=Counter)
    latency_ms: float = 0.0
    slow_response_ms: float = 0.0
    fail_status: int | None = None
    throttled: bool = False
    retry_after: str | None = None
    malformed: bool = False
    down: bool = False
    # FHIR searches only: the most entries a page holds (None: the server's own cap), and no `next` link.
    max_page_size: int | None = None
    omit_next_links: bool = False
    # How long clients may keep reference data (Practitioner, Organization, Location): Cache-Control max-age.
    reference_max_age_s: int = 300
    reset_hooks: list[Callable[[], None]] = field(default_factory=list)
    # The W3C traceparent of each counted request that carried one: a test sees the trace continue here.
    traceparents: list[str] = field(default_factory=list)
    # Requests being handled now. A request whose client goes away is cancelled, as a real server's
    # would be (the runner cancels handlers): a test sees whether a client abandoned its calls.
    in_flight: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def stats(self) -> dict[str, Any]:
        return {"total": self.total, "byRoute": dict(self.counts), "inFlight": self.in_flight}

    def clear_faults(self) -> None:
        self.latency_ms = 0.0
        self.slow_response_ms = 0.0
        self.fail_status = None
        self.throttled = False
        self.retry_after = None
        self.malformed = False
        self.down = False
        self.max_page_size = None
        self.omit_next_links = False
        self.reference_max_age_s = 300

    def reset(self) -> None:
        """Clear faults and counts, and restore the app's seeded state."""
        self.clear_faults()
        self.counts.clear()
        self.traceparents.clear()
        for hook in self.reset_hooks:
            hook()

    def set_faults(self, body: dict[str, Any]) -> None:
        """Apply a `POST /_sandbox/faults` body; raises ValueError before changing anything."""
        unknown = set(body) - set(self.faults())
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        latency = body.get("latency_ms", self.latency_ms)
        slow = body.get("slow_response_ms", self.slow_response_ms)
        status = body.get("fail_status", self.fail_status)
        throttled = body.get("throttled", self.throttled)
        retry_after = body.get("retry_after", self.retry_after)
        malformed = body.get("malformed", self.malformed)
        down = body.get("down", self.down)
        page_size = body.get("max_page_size", self.max_page_size)
        omit_next = body.get("omit_next_links", self.omit_next_links)
        for name, value in (("latency_ms", latency), ("slow_response_ms", slow)):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599):
            raise ValueError("fail_status must be null or a 5xx status")
        if not all(isinstance(flag, bool) for flag in (throttled, malformed, down, omit_next)):
            raise ValueError("throttled, malformed, down and omit_next_links must be booleans")
        if retry_after is not None and not isinstance(retry_after, str):
            raise ValueError("retry_after must be null or a string (delta-seconds or an HTTP-date)")
        if page_size is not None and (isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1):
            raise ValueError("max_page_size must be null or an integer >= 1")
        self.latency_ms, self.fail_status, self.malformed, self.down = float(latency), status, malformed, down
        self.throttled, self.retry_after = throttled, retry_after
        self.slow_response_ms = float(slow)
        self.max_page_size, self.omit_next_links = page_size, omit_next

    def faults(self) -> dict[str, Any]:
        """The faults as `POST /_sandbox/faults` takes them."""
        return {
            "latency_ms": self.latency_ms,
            "slow_response_ms": self.slow_response_ms,
            "fail_status": self.fail_status,
            "throttled": self.throttled,
            "retry_after": self.retry_after,
            "malformed": self.malformed,
            "down": self.down,
            "max_page_size": self.max_page_size,
            "omit_next_links": self.omit_next_links,
        }


CONTROL = web.AppKey("sandbox_control", Control)
# How a service words an error body, when its contract has a shape of its own (Freg's {"kode", "melding"});
# by default {"error": message}.
# (A callable is no class, so the type goes in the subscript, as sandbox/inbox.py's CLOCK.)
ERROR_BODY = web.AppKey[Callable[[str], dict[str, Any]]]("sandbox_error_body")


def _error_body(request: web.Request, message: str) -> dict[str, Any]:
    shape = request.app.get(ERROR_BODY)
    return shape(message) if shape is not None else {"error": message}


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    if resource is None:
        return UNMATCHED_ROUTE
    return f"{request.method} {resource.canonical}"


def _content_type(request: web.Request) -> str:
    return "application/fhir+json" if request.path.startswith("/fhir") else "application/json"


@web.middleware
async def control_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(BESIDE_PREFIXES):
        return await handler(request)
    control = request.app[CONTROL]
    control.counts[route_name(request)] += 1
    control.in_flight += 1
    try:
        return await _faulted(request, handler, control)
    finally:
        control.in_flight -= 1


async def _faulted(request: web.Request, handler: Handler, control: Control) -> web.StreamResponse:
    if "traceparent" in request.headers:
        control.traceparents.append(request.headers["traceparent"])
    if control.down:
        # Close without writing a byte, so the client sees a disconnect rather than an HTTP status.
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if control.latency_ms:
        await asyncio.sleep(control.latency_ms / 1000)
    if control.fail_status is not None:
        message = f"injected fault: upstream answered {control.fail_status}"
        return web.json_response(_error_body(request, message), status=control.fail_status)
    if control.throttled:
        headers = {"Retry-After": control.retry_after} if control.retry_after is not None else None
        body = _error_body(request, "injected fault: too many requests")
        return web.json_response(body, status=429, headers=headers)
    if control.malformed:
        # Truncated JSON: a client must treat an unparsable 200 as a failed upstream.
        return web.Response(
            status=200, text='{"resourceType": "Bundle", "entry": [{', content_type=_content_type(request)
        )
    response = await handler(request)
    if control.slow_response_ms:
        await asyncio.sleep(control.slow_response_ms / 1000)
    return response


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[CONTROL].stats())


async def _faults(request: web.Request) -> web.Response:
    control = request.app[CONTROL]
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        control.set_faults(body)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(control.faults())


async def _reset(request: web.Request) -> web.Response:
    request.app[CONTROL].reset()
    return web.json_response(request.app[CONTROL].stats())


def install_control(app: web.Application) -> Control:
    """Give `app` a Control, its middleware and the control endpoints; call before the app starts."""
    control = Control()
    app[CONTROL] = control
    app.middlewares.append(control_middleware)
    app.router.add_get(CONTROL_PREFIX + "stats", _stats)
    app.router.add_post(CONTROL_PREFIX + "faults", _faults)
    app.router.add_post(CONTROL_PREFIX + "reset", _reset)
    return control
