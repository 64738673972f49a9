"""End-to-end latency of the inbox page, with and without injected upstream latency, beside its lower bound.

Runs the sandbox and the gateway in this process (loopback HTTP, as a frontend would call it), or with
`--processes` each in a process of its own (`python -m gateway serve`, as cpu_per_request.py runs them:
in production the upstreams' work is not done on the gateway's event loop, and in one process it is).
This process, and with `--processes` the sandbox's, runs on uvloop when it is installed, as the gateway
does (`_stack.run_on_uvloop`).
Then for each injected latency (default 0 and 20 ms on every sandbox source) sends `--warmup` requests, then
`--requests` sequential ones, and prints p50 / p90 / p99 / max in one table, side by side. It prints
figures only; it asserts nothing.

The lower bound is the sum of injected latencies along the longest chain of upstream calls that
depend on each other. For this query the data dependencies allow three levels:

    level 1  registry POST .../personer/bulkoppslag                person(id:) needs both to decide access
             + consent GET /consents
    level 2  inbox GET /threads, contacts GET /fhir/CareTeam,     each needs only the subject
             appointments GET /fhir/Appointment
    level 3  inbox GET /messages (thread ids),                    each needs ids from level 2
             contacts GET /fhir/Practitioner + /fhir/Organization
             (CareTeam references), appointments GET /fhir/Location

so with 20 ms everywhere: 3 x 20 = 60 ms. The script also prints the chain it observed (when each
upstream request arrived at the sandbox), so an extra level of waiting in the gateway shows up as a
fourth level. (It once did: a HealthContact awaited its Organization before its Practitioner.)

With `--slow-appointments-ms MS` (issue 20) the appointments FHIR service answers in MS (1000: one
second) and every other source in the one `--latency-ms` (default 20), and the script compares two
forms of the same page instead, one after the other in the same run:

    deferred  the page with its appointments in `... @defer(label: "appointments") { appointments ... }`
              within `person`, asked for as `Accept: multipart/mixed;deferSpec=20220824`: the gateway
              sends the rest of the page as the first part and the appointments as a later one
    plain     the page as it is (`_stack.INBOX_PAGE`), one JSON answer

and, for reference, the plain page with every source at the fast latency (no slow source). The
first payload should come no sooner than that page: the difference between the two is what the slow
source still costs the rest of the page; what that page takes above 60 ms is the gateway's own.

For each request it takes two times from the client's POST: to the first payload (the first part
fully received; the body is read as it arrives and split at each part's Content-Length) and to the
last (the part with `"hasNext": false`); for the plain page both are the whole answer. It prints
p50 / p90 / max of both, and two ratios of the deferred page's p50s, beside the plain page's:

- first payload / the fast sources' critical path, the 3 levels above at the fast latency
  (3 x 20 = 60 ms; goal <= 1.15x), and / the same path as the sandbox delivers it (`delivered_path_ms`:
  each level's calls made alone from this client, timed in the same run): the slow source must not
  hold the rest of the page back. A source set to 20 ms answers in more: its own work on the answer
  (the messages of 64 threads take longer than one person), loopback and this client come on top;
  the difference between the two figures is what the sandbox adds, the rest is the gateway's;
- last payload / the slow source's latency (1000 ms; goal <= 1.05x): deferring must not delay the
  appointments. The gateway starts a deferred fragment's work as soon as it finds the fragment, so
  the Appointment search leaves at level 2 with the threads: the floor is level 1 + the slow
  source (20 + 1000 ms; 1.02x), as for the plain page. The appointments' Locations and practitioners
  come from the gateway's reference cache after the warm-up, so the slow source is called once.

    python bench/latency.py [--requests 100] [--warmup 5] [--first 20] [--latency-ms 0 20] [--processes]
                            [--slow-appointments-ms 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import orjson
from _stack import INBOX_PAGE, KARI, SOURCE_NAMES, Arrival, PageError, Stack, inbox_page, run_on_uvloop, running_stack
from cpu_per_request import gateway_process, signed_in, upstreams
from graphql import FieldNode, OperationDefinitionNode, parse
from yarl import URL

from gateway.core.config import Settings
from gateway.sources.access_tokens import AccessTokens
from gateway.sources.helseid import HelseIdTokens
from gateway.sources.maskinporten import MaskinportenTokens
from sandbox import consent, registry

# The headers of a call to a source that takes access tokens: (source, method, URL) -> headers.
Authorize = Callable[[str, str, str], Awaitable[Mapping[str, str]]]

# The dependency levels of the inbox page: (source, route) per level. Calls in one level run in parallel.
QUERY_LEVELS: list[list[tuple[str, str]]] = [
    [("registry", registry.BULK_ROUTE), ("consent", consent.CONSENTS_ROUTE)],
    [("inbox", "GET /threads"), ("contacts", "GET /fhir/CareTeam"), ("appointments", "GET /fhir/Appointment")],
    [
        ("inbox", "GET /messages"),
        ("contacts", "GET /fhir/Organization"),
        ("contacts", "GET /fhir/Practitioner"),
        ("appointments", "GET /fhir/Location"),
    ],
]

SLOW_SOURCE = "appointments"
DEFER_LABEL = "appointments"
# What a client reading incremental delivery sends (Apollo Client 3): parts of deferSpec=20220824, else JSON.
ACCEPT_MULTIPART = "multipart/mixed;deferSpec=20220824, application/json"


def deferred_page(document: str, field: str, label: str) -> str:
    """`document` with `person`'s `field` wrapped in `... @defer(label: ...) { }`: the same page, in parts."""
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    person = next(
        s for s in operation.selection_set.selections if isinstance(s, FieldNode) and s.name.value == "person"
    )
    assert person.selection_set is not None
    found = next(s for s in person.selection_set.selections if isinstance(s, FieldNode) and s.name.value == field)
    assert found.loc is not None
    start, end = found.loc.start, found.loc.end
    return f'{document[:start]}... @defer(label: "{label}") {{ {document[start:end]} }}{document[end:]}'


DEFERRED_INBOX_PAGE = deferred_page(INBOX_PAGE, "appointments", DEFER_LABEL)


def lower_bound(levels: list[list[tuple[str, str]]], latency_ms: dict[str, float]) -> float:
    """Sum over levels of the slowest source in the level: nothing can answer sooner."""
    return sum(max(latency_ms[source] for source, _ in level) for level in levels)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="measured sequential requests per setting")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests before each setting")
    parser.add_argument("--first", type=int, default=20, help="threads on the page (first: N)")
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="+",
        help="injected latency per source, each a row (default 0 20); with --slow-appointments-ms, the one latency"
        " of every source but appointments (default 20)",
    )
    parser.add_argument(
        "--processes",
        action="store_true",
        help="the gateway (python -m gateway serve) and the sandbox each in a process of its own",
    )
    parser.add_argument(
        "--slow-appointments-ms",
        type=float,
        metavar="MS",
        help="the appointments source answers in MS, every other in --latency-ms: the page with its appointments"
        " deferred (@defer, multipart/mixed) beside the plain page",
    )
    args = parser.parse_args()
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    if args.slow_appointments_ms is None:
        args.latency_ms = args.latency_ms or [0.0, 20.0]
    else:
        args.latency_ms = args.latency_ms or [20.0]
        if len(args.latency_ms) != 1:
            parser.error("with --slow-appointments-ms, --latency-ms takes one value: that of the other sources")
        if args.slow_appointments_ms < 0:
            parser.error("--slow-appointments-ms must be at least 0")
    return args


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


@dataclass
class Row:
    latency_ms: float
    samples: list[float]
    calls_per_request: float
    # Per upstream route: the median arrival at the sandbox, in ms after the client's POST.
    arrivals: dict[tuple[str, str], float]
    # Per level, the calls on the critical path at this latency as delivered (`delivered_path_ms`).
    delivered_ms: list[float]

    def p(self, pct: float) -> float:
        return percentile(sorted(self.samples), pct)


class Upstreams(Protocol):
    """What a measurement needs of the running stack, in one process or in three."""

    @property
    def arrivals(self) -> list[Arrival]: ...

    async def reset(self, latency_ms: Mapping[str, float]) -> None: ...
    async def calls(self) -> int: ...
    async def delivered_path_ms(self) -> list[float]: ...
    async def inbox_page(self, first: int) -> dict[str, Any]: ...
    async def deferred_inbox_page(self, first: int) -> Payloads: ...


def everywhere(latency_ms: float) -> dict[str, float]:
    return dict.fromkeys(SOURCE_NAMES, latency_ms)


@dataclass
class InProcess:
    """The sandbox, the gateway and this client on one event loop (`_stack.running_stack`): the sandbox's
    and the client's work count in the gateway's latency, and each upstream call's arrival is seen."""

    stack: Stack

    @property
    def arrivals(self) -> list[Arrival]:
        return self.stack.arrivals

    async def reset(self, latency_ms: Mapping[str, float]) -> None:
        self.stack.sandbox.reset()
        for name, ms in latency_ms.items():
            self.stack.sandbox.control(name).latency_ms = ms

    async def calls(self) -> int:
        return sum(c.total() for c in self.stack.counts().values())

    async def delivered_path_ms(self) -> list[float]:
        sandbox = self.stack.sandbox

        async def authorize(source: str, method: str, url: str) -> Mapping[str, str]:
            if source == "registry":
                return sandbox.registry_authorization()
            return sandbox.fullmakt_authorization(method, url)

        return await delivered_path_ms(self.stack.http, sandbox.urls, authorize)

    async def inbox_page(self, first: int) -> dict[str, Any]:
        return await self.stack.inbox_page(first)

    async def deferred_inbox_page(self, first: int) -> Payloads:
        return await deferred_inbox_page(self.stack.http, self.stack.url, self.stack.token, first)


@dataclass
class Processes:
    """The gateway served as a person serves it and the sandbox in its own process, as upstreams are in
    production, controlled over HTTP (`/_sandbox/faults`, `/_sandbox/stats`): only the gateway's own
    work, and this client's, lies between the upstream calls. Arrivals are not seen in this mode."""

    http: aiohttp.ClientSession
    sandbox_urls: dict[str, str]
    gateway_url: str
    token: str
    token_clients: dict[str, str]  # the gateway's maskinporten_* and helseid_* settings: its clients at the sandbox
    arrivals: list[Arrival] = field(default_factory=list)

    def _controls(self) -> dict[str, str]:
        # The control endpoints are at each service's root (a FHIR service's base URL ends in /fhir).
        return {name: f"{URL(url).origin()}/_sandbox" for name, url in self.sandbox_urls.items()}

    async def reset(self, latency_ms: Mapping[str, float]) -> None:
        for name, control in self._controls().items():
            async with self.http.post(f"{control}/reset") as resp:
                resp.raise_for_status()
            async with self.http.post(f"{control}/faults", json={"latency_ms": latency_ms[name]}) as resp:
                resp.raise_for_status()

    async def calls(self) -> int:
        total = 0
        for control in self._controls().values():
            async with self.http.get(f"{control}/stats") as resp:
                total += (await resp.json())["total"]
        return total

    async def delivered_path_ms(self) -> list[float]:
        # Tokens as the gateway gets them: the same clients, from the sandbox's process.
        settings = Settings.model_validate(self.token_clients)
        maskinporten = MaskinportenTokens.configured(self.http, settings)
        helseid = HelseIdTokens.configured(self.http, settings)
        assert maskinporten is not None and helseid is not None
        issuers: dict[str, tuple[AccessTokens, str]] = {
            "registry": (maskinporten, settings.registry_scope),
            "consent": (helseid, settings.fullmakt_scope),
        }

        async def authorize(source: str, method: str, url: str) -> Mapping[str, str]:
            tokens, scope = issuers[source]
            return tokens.headers(method, URL(url), await tokens.token(scope, source))

        return await delivered_path_ms(self.http, self.sandbox_urls, authorize)

    async def inbox_page(self, first: int) -> dict[str, Any]:
        return await inbox_page(self.http, self.gateway_url, self.token, first)

    async def deferred_inbox_page(self, first: int) -> Payloads:
        return await deferred_inbox_page(self.http, self.gateway_url, self.token, first)


async def delivered_path_ms(
    http: aiohttp.ClientSession, urls: Mapping[str, str], authorize: Authorize, rounds: int = 21
) -> list[float]:
    """The fast sources' critical path as the sandbox delivers it: per level, the median time this client
    waits for the calls of that level on the path to the first payload, made alone (the gateway's work
    between them left out): registry and consent together, then Kari's threads, then the messages of
    all of them (the rules judge each thread by its messages when the viewer is the subject). Each is
    the injected latency plus the source's own work on that answer, loopback and this client: what a
    gateway that did nothing between the calls would take. `authorize` gives the headers of a call to
    the registry or the consent source: their access tokens, made before the call's clock starts."""

    async def timed(url: str, params: dict[str, str] | None = None, json: Any = None, source: str = "") -> float:
        method = "GET" if json is None else "POST"
        headers = await authorize(source, method, url) if source else None
        started = time.perf_counter()
        async with http.request(method, url, params=params, json=json, headers=headers) as resp:
            await resp.read()
            resp.raise_for_status()
        return (time.perf_counter() - started) * 1000

    async with http.get(f"{urls['inbox']}/threads", params={"owner": KARI}) as resp:
        thread_ids = ",".join(thread["id"] for thread in (await resp.json())["threads"])
    levels: list[list[float]] = [[], [], []]
    for _ in range(rounds):
        pair = await asyncio.gather(
            timed(
                f"{urls['registry']}{registry.BULK_LOOKUP}",
                json={"foedselsEllerDNummer": [KARI]},
                source="registry",
            ),
            timed(f"{urls['consent']}/consents", {"ids": KARI}, source="consent"),
        )
        levels[0].append(max(pair))
        levels[1].append(await timed(f"{urls['inbox']}/threads", {"owner": KARI}))
        levels[2].append(await timed(f"{urls['inbox']}/messages", {"threads": thread_ids}))
    return [statistics.median(level) for level in levels]


@dataclass(frozen=True)
class Payloads:
    """When an answer's first and last payload were fully received (time.perf_counter())."""

    first_at: float
    last_at: float


class MultipartParts:
    """The parts of a multipart/mixed body, fed as it arrives: each part's body as soon as it is all in.

    A part is `\r\n--BOUNDARY\r\n`, its headers, an empty line and its body; the body ends after
    its Content-Length (so the part is complete without waiting for the next delimiter), or without
    one at the next delimiter. `\r\n--BOUNDARY--` ends the body; the first delimiter has no CRLF."""

    def __init__(self, boundary: str) -> None:
        self._delimiter = b"\r\n--" + boundary.encode()
        self._buffer = bytearray(b"\r\n")
        self._length: int | None = None  # the current part's Content-Length, once its headers are in
        self._in_body = False
        self.ended = False

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        bodies: list[bytes] = []
        while not self.ended:
            if not self._in_body:
                after = len(self._delimiter)
                if len(self._buffer) < after + 2:
                    break
                if not self._buffer.startswith(self._delimiter):
                    raise PageError(f"expected a multipart delimiter, got {bytes(self._buffer[:80])!r}")
                if self._buffer[after : after + 2] == b"--":
                    self.ended = True
                    break
                blank = self._buffer.find(b"\r\n\r\n", after)
                if blank < 0:
                    break
                headers = bytes(self._buffer[after + 2 : blank]).decode("latin-1").split("\r\n")
                lengths = [
                    v for k, _, v in (h.partition(":") for h in headers) if k.strip().lower() == "content-length"
                ]
                self._length = int(lengths[0]) if lengths else None
                del self._buffer[: blank + 4]
                self._in_body = True
            if self._length is not None:
                if len(self._buffer) < self._length:
                    break
                end = self._length
            else:
                end = self._buffer.find(self._delimiter)
                if end < 0:
                    break
            bodies.append(bytes(self._buffer[:end]))
            del self._buffer[:end]
            self._in_body = False
        return bodies


def _boundary(content_type: str) -> str | None:
    media_type, *params = (p.strip() for p in content_type.split(";"))
    if media_type.lower() != "multipart/mixed":
        return None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    return None


async def deferred_inbox_page(http: aiohttp.ClientSession, url: str, token: str, first: int) -> Payloads:
    """The inbox page with its appointments deferred, read part by part as the body arrives; raise if
    it is not the whole page, in parts, without errors."""
    first_at: float | None = None
    last_at: float | None = None
    appointments = None
    async with http.post(
        f"{url}/graphql",
        json={"query": DEFERRED_INBOX_PAGE, "variables": {"person": KARI, "first": first}},
        headers={"Authorization": f"Bearer {token}", "Accept": ACCEPT_MULTIPART},
    ) as resp:
        boundary = _boundary(resp.headers.get("Content-Type", ""))
        if resp.status != 200 or boundary is None:
            raise PageError(
                f"expected 200 multipart/mixed, the gateway answered {resp.status} "
                f"{resp.headers.get('Content-Type')}: {(await resp.read())[:500]!r}"
            )
        reader = MultipartParts(boundary)
        async for chunk in resp.content.iter_any():
            received = time.perf_counter()
            for body in reader.feed(chunk):
                if last_at is not None:
                    raise PageError("a part after the one with hasNext false")
                part = orjson.loads(body)
                if part.get("errors") or any(e.get("errors") for e in part.get("incremental") or ()):
                    raise PageError(f"the deferred inbox page came back with errors: {part}")
                if first_at is None:
                    first_at = received
                    person = (part.get("data") or {}).get("person")
                    if not person or len(person["threads"]["nodes"]) != first:
                        raise PageError(f"the first part is not the page of {first} threads: {str(part)[:500]}")
                    if "appointments" in person or not part.get("hasNext"):
                        raise PageError("the appointments were not deferred: they came in the first part")
                for entry in part.get("incremental") or ():
                    if entry.get("label") == DEFER_LABEL:
                        appointments = (entry.get("data") or {}).get("appointments")
                if part.get("hasNext") is False:
                    last_at = received
    if first_at is None or last_at is None:
        raise PageError("the answer ended before a part with hasNext false")
    if not reader.ended:
        raise PageError("the multipart body ended without its closing delimiter")
    if not appointments or not appointments.get("nodes"):
        raise PageError(f"no appointments came in the deferred part: {appointments}")
    return Payloads(first_at, last_at)


@asynccontextmanager
async def processes() -> AsyncIterator[Processes]:
    """The three processes of cpu_per_request.py: sandbox, `python -m gateway serve`, and this client."""
    with tempfile.TemporaryDirectory(prefix="latency-") as tmp:
        async with upstreams() as up:
            async with (
                gateway_process(up.gateway_env(), 1, Path(tmp) / "gateway.log") as gateway,
                aiohttp.ClientSession() as http,
            ):
                token = await signed_in(http, gateway, up.key_set)
                yield Processes(http, up.urls, gateway.url, token, up.token_clients)


async def measure(stack: Upstreams, latency_ms: float, args: argparse.Namespace) -> Row:
    await stack.reset(everywhere(latency_ms))
    for _ in range(args.warmup):
        await stack.inbox_page(args.first)
    before = await stack.calls()
    stack.arrivals.clear()
    windows: list[tuple[float, float]] = []
    for _ in range(args.requests):
        started = time.perf_counter()
        await stack.inbox_page(args.first)
        windows.append((started, time.perf_counter()))
    calls = (await stack.calls() - before) / args.requests
    return Row(
        latency_ms,
        [(end - start) * 1000 for start, end in windows],
        calls,
        median_arrivals(stack.arrivals, windows),
        await stack.delivered_path_ms(),
    )


def median_arrivals(arrivals: list[Arrival], windows: list[tuple[float, float]]) -> dict[tuple[str, str], float]:
    """Requests are sequential, so each upstream call belongs to the request whose window holds it."""
    offsets: dict[tuple[str, str], list[float]] = defaultdict(list)
    for arrival in arrivals:
        i = bisect.bisect_right(windows, (arrival.at, math.inf)) - 1
        if i >= 0 and arrival.at <= windows[i][1]:
            offsets[(arrival.source, arrival.route)].append((arrival.at - windows[i][0]) * 1000)
    return {route: statistics.median(values) for route, values in offsets.items()}


def observed_levels(arrivals: dict[tuple[str, str], float], latency_ms: float) -> list[list[tuple[float, str]]]:
    """Group routes into levels: a new level starts when a call arrives well after the previous one."""
    levels: list[list[tuple[float, str]]] = []
    gap = max(latency_ms / 2, 2.0)
    for offset, route in sorted((offset, f"{source} {route}") for (source, route), offset in arrivals.items()):
        if not levels or offset - levels[-1][-1][0] > gap:
            levels.append([])
        levels[-1].append((offset, route))
    return levels


def print_cells(lines: list[list[str]]) -> None:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for n, line in enumerate(lines):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_table(rows: list[Row], bounds: dict[float, float]) -> None:
    header = ["latency", "requests", "p50", "p90", "p99", "max", "mean", "lower bound", "calls/req"]
    lines = [header]
    for row in rows:
        lines.append(
            [
                f"{row.latency_ms:g} ms",
                str(len(row.samples)),
                *(f"{row.p(p):.1f}" for p in (50, 90, 99, 100)),
                f"{statistics.fmean(row.samples):.1f}",
                f"{bounds[row.latency_ms]:g}",
                f"{row.calls_per_request:g}",
            ]
        )
    print_cells(lines)


def compare(label: str, p50: float, bound: float) -> str:
    ratio = f"{p50 / bound:.2f}" if bound else "n/a"
    return f"{label}: p50 {p50:.1f} ms vs lower bound {bound:g} ms (overhead {p50 - bound:.1f} ms, ratio {ratio})"


@dataclass
class PageRow:
    """One form of the page under slow appointments: per request, ms from the POST to each payload."""

    page: str
    first_ms: list[float]
    last_ms: list[float]
    calls_per_request: float
    arrivals: dict[tuple[str, str], float]

    def first(self, pct: float) -> float:
        return percentile(sorted(self.first_ms), pct)

    def last(self, pct: float) -> float:
        return percentile(sorted(self.last_ms), pct)


async def measure_deferred(stack: Upstreams, args: argparse.Namespace) -> tuple[list[PageRow], list[float]]:
    """Both forms of the page, each after its warm-up, then the plain page with no slow source (the
    first payload's floor as the gateway delivers it); and the fast sources' critical path as delivered."""
    fast = args.latency_ms[0]
    slow = {**everywhere(fast), SLOW_SOURCE: args.slow_appointments_ms}

    async def plain() -> Payloads:
        await stack.inbox_page(args.first)
        done = time.perf_counter()
        return Payloads(done, done)

    async def deferred() -> Payloads:
        return await stack.deferred_inbox_page(args.first)

    rows = []
    for page, run, latency in (
        ("deferred", deferred, slow),
        ("plain", plain, slow),
        (f"plain, all at {fast:g} ms", plain, everywhere(fast)),
    ):
        await stack.reset(latency)
        for _ in range(args.warmup):
            await run()
        before = await stack.calls()
        stack.arrivals.clear()
        windows: list[tuple[float, float]] = []
        payloads: list[Payloads] = []
        for _ in range(args.requests):
            started = time.perf_counter()
            payloads.append(await run())
            windows.append((started, time.perf_counter()))
        rows.append(
            PageRow(
                page,
                [(p.first_at - start) * 1000 for p, (start, _) in zip(payloads, windows, strict=True)],
                [(p.last_at - start) * 1000 for p, (start, _) in zip(payloads, windows, strict=True)],
                (await stack.calls() - before) / args.requests,
                median_arrivals(stack.arrivals, windows),
            )
        )
    return rows, await stack.delivered_path_ms()


def ratio(label: str, ms: float, bound: float, goal: float | None = None) -> str:
    figure = f"{ms / bound:.2f}x" if bound else "n/a"
    return f"{label} {ms:.1f} ms / {bound:g} ms = {figure}" + (f" (goal <= {goal:g}x)" if goal else "")


def report_deferred(rows: list[PageRow], delivered: list[float], args: argparse.Namespace) -> None:
    fast, slow = args.latency_ms[0], args.slow_appointments_ms
    print(
        f"Inbox page (Kari, threads first: {args.first}), appointments source at {slow:g} ms, every other at "
        f"{fast:g} ms; {args.requests} sequential requests per form after {args.warmup} warm-up"
    )
    print(
        "(" + ("gateway and sandbox in processes of their own" if args.processes else "in one process") + "); "
        "times in ms from the client's POST to the first and to the last payload."
    )
    print()
    lines = [["page", "requests", "first p50", "p90", "max", "last p50", "p90", "max", "calls/req"]]
    for row in rows:
        lines.append(
            [
                row.page,
                str(len(row.first_ms)),
                *(f"{row.first(p):.1f}" for p in (50, 90, 100)),
                *(f"{row.last(p):.1f}" for p in (50, 90, 100)),
                f"{row.calls_per_request:g}",
            ]
        )
    print_cells(lines)
    print()
    print('deferred: appointments in `... @defer(label: "appointments")`, Accept: multipart/mixed, read part')
    print("  by part; first = the first part fully received, last = the part with hasNext false.")
    print("plain: the same page without @defer, one JSON answer; first = last = the whole answer.")
    print(
        f"plain, all at {fast:g} ms: the plain page with the appointments source at {fast:g} ms too (no slow source)."
    )
    print()
    deferred, plain, unhurried = rows
    path = len(QUERY_LEVELS) * fast
    print(
        ratio("time to first payload (deferred, p50)", deferred.first(50), path, 1.15)
        + f", the fast sources' critical path ({len(QUERY_LEVELS)} x {fast:g} ms); plain page {plain.first(50):.1f} ms"
    )
    print(
        ratio("  as delivered:", deferred.first(50), round(sum(delivered), 1), 1.15)
        + f", the same path as the sandbox delivers it ({' + '.join(f'{ms:.1f}' for ms in delivered)} ms:"
        f" each level's calls made alone from this client at {fast:g} ms); the gateway adds"
        f" {deferred.first(50) - sum(delivered):.1f} ms"
    )
    print(
        f"  the plain page with no slow source: p50 {unhurried.last(50):.1f} ms = {unhurried.last(50) / path:.2f}x;"
        f" the deferred page's first payload {deferred.first(50) - unhurried.last(50):+.1f} ms against it"
    )
    print(
        ratio("time to last payload (deferred, p50)", deferred.last(50), slow, 1.05)
        + f", the slow source's latency; plain page {plain.last(50):.1f} ms = {plain.last(50) / slow:.2f}x"
        if slow
        else ratio("time to last payload (deferred, p50)", deferred.last(50), slow)
    )
    print(
        f"  floor for both: level 1 + the slow source = {fast:g} + {slow:g} = {fast + slow:g} ms; "
        f"the deferred page's last payload {deferred.last(50) - plain.last(50):+.1f} ms against the plain page (p50)"
    )
    for row in rows:
        if not row.arrivals:
            continue  # --processes sees no arrivals
        levels = observed_levels(row.arrivals, fast)
        print()
        print(f"Observed chain, {row.page}: median arrival of each upstream call at the sandbox, ms after the POST.")
        for n, level in enumerate(levels, 1):
            print(f"  level {n} @{level[0][0]:.1f}: " + ", ".join(f"{route} @{at:.1f}" for at, route in level))
        if row.page == "deferred":
            print(f"  first payload (p50) @{row.first(50):.1f}, last payload (p50) @{row.last(50):.1f}")
        else:
            print(f"  response (p50) @{row.last(50):.1f}")


async def main() -> int:
    args = parse_args()
    rows: list[Row] = []
    async with contextlib.AsyncExitStack() as running:
        if args.processes:
            stack: Upstreams = await running.enter_async_context(processes())
        else:
            stack = InProcess(await running.enter_async_context(running_stack()))
        if args.slow_appointments_ms is not None:
            try:
                page_rows, delivered = await measure_deferred(stack, args)
            except PageError as exc:
                print(f"ERROR with slow appointments: {exc}", file=sys.stderr)
                return 2
            report_deferred(page_rows, delivered, args)
            return 0
        for latency in args.latency_ms:
            try:
                rows.append(await measure(stack, latency, args))
            except PageError as exc:
                print(f"ERROR at latency={latency:g} ms: {exc}", file=sys.stderr)
                return 2

    sources = {source for level in QUERY_LEVELS for source, _ in level}
    bounds = {row.latency_ms: lower_bound(QUERY_LEVELS, dict.fromkeys(sources, row.latency_ms)) for row in rows}
    print(f"Inbox page (Kari, threads first: {args.first}), {args.requests} sequential requests after {args.warmup}")
    print("warm-up, per injected latency on every sandbox source; times in ms, client POST to full response.")
    print()
    print_table(rows, bounds)
    print()
    print("lower bound: the 3 levels of dependent upstream calls the query needs (registry+consent;")
    print("  threads/CareTeam/Appointment; messages/Location), each at the injected latency; a contact's")
    print("  practitioner and organisation come with its CareTeam.")
    print()
    baseline = rows[0].p(50) if rows and rows[0].latency_ms == 0 else None
    for row in rows:
        bound = bounds[row.latency_ms]
        print(compare(f"latency={row.latency_ms:g}", row.p(50), bound))
        if row.latency_ms:
            print(
                compare(f"latency={row.latency_ms:g}", row.p(50), round(sum(row.delivered_ms), 1))
                + " - the bound as delivered: "
                + " + ".join(f"{ms:.1f}" for ms in row.delivered_ms)
                + " ms, each level's calls on the critical path made alone (delivered_path_ms)"
            )
        if row.latency_ms and baseline is not None:
            print(
                f"latency={row.latency_ms:g}: expected p50 = lower bound {bound:g} + p50 at 0 ms "
                f"{baseline:.1f} = {bound + baseline:.1f} ms"
            )
    for row in rows:
        if not row.latency_ms or not row.arrivals:
            continue  # without injected latency the levels run into each other; --processes sees no arrivals
        levels = observed_levels(row.arrivals, row.latency_ms)
        print()
        print(f"Observed chain at latency={row.latency_ms:g} ms: median arrival of each upstream call at the sandbox,")
        print(f"ms after the client's POST; {len(levels)} levels of dependent calls.")
        previous = 0.0
        for n, level in enumerate(levels, 1):
            first_at = level[0][0]
            waited = f"gap {first_at - previous:.1f}" + (
                f" = {row.latency_ms:g} injected + {first_at - previous - row.latency_ms:.1f}"
                if n > 1 and row.latency_ms
                else ""
            )
            print(f"  level {n} @{first_at:.1f} ({waited}): " + ", ".join(route for _, route in level))
            previous = first_at
        end = row.p(50)
        print(
            f"  response (p50) @{end:.1f} (gap {end - previous:.1f}"
            + (f" = {row.latency_ms:g} injected + {end - previous - row.latency_ms:.1f})" if row.latency_ms else ")")
        )
    return 0


if __name__ == "__main__":
    sys.exit(run_on_uvloop(main()))
