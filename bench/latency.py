"""End-to-end latency of the inbox page, with and without injected upstream latency, beside its lower bound.

Runs the sandbox and the gateway in this process (loopback HTTP, as a frontend would call it), or with
`--processes` each in a process of its own (`python -m gateway serve`, as cpu_per_request.py runs them:
in production the upstreams' work is not done on the gateway's event loop, and in one process it is).
Then for each injected latency (default 0 and 20 ms on every sandbox source) sends `--warmup` requests, then
`--requests` sequential ones, and prints p50 / p90 / p99 / max in one table, side by side. It prints
figures only; it asserts nothing.

The lower bound is the sum of injected latencies along the longest chain of upstream calls that
depend on each other. For this query the data dependencies allow three levels:

    level 1  registry GET /persons + consent GET /consents        person(id:) needs both to decide access
    level 2  inbox GET /threads, contacts GET /fhir/CareTeam,     each needs only the subject
             appointments GET /fhir/Appointment
    level 3  inbox GET /messages (thread ids),                    each needs ids from level 2
             contacts GET /fhir/Practitioner + /fhir/Organization
             (CareTeam references), appointments GET /fhir/Location

so with 20 ms everywhere: 3 x 20 = 60 ms. The script also prints the chain it observed (when each
upstream request arrived at the sandbox), so an extra level of waiting in the gateway shows up as a
fourth level. (It once did: a HealthContact awaited its Organization before its Practitioner.)

    python bench/latency.py [--requests 100] [--warmup 5] [--first 20] [--latency-ms 0 20] [--processes]
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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from _stack import KARI, Arrival, PageError, Stack, inbox_page, running_stack
from cpu_per_request import gateway_process, signed_in, upstreams
from yarl import URL

# The dependency levels of the inbox page: (source, route) per level. Calls in one level run in parallel.
QUERY_LEVELS: list[list[tuple[str, str]]] = [
    [("registry", "GET /persons"), ("consent", "GET /consents")],
    [("inbox", "GET /threads"), ("contacts", "GET /fhir/CareTeam"), ("appointments", "GET /fhir/Appointment")],
    [
        ("inbox", "GET /messages"),
        ("contacts", "GET /fhir/Organization"),
        ("contacts", "GET /fhir/Practitioner"),
        ("appointments", "GET /fhir/Location"),
    ],
]


def lower_bound(levels: list[list[tuple[str, str]]], latency_ms: dict[str, float]) -> float:
    """Sum over levels of the slowest source in the level: nothing can answer sooner."""
    return sum(max(latency_ms[source] for source, _ in level) for level in levels)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="measured sequential requests per setting")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests before each setting")
    parser.add_argument("--first", type=int, default=20, help="threads on the page (first: N)")
    parser.add_argument(
        "--latency-ms", type=float, nargs="+", default=[0.0, 20.0], help="injected latency per source, each a row"
    )
    parser.add_argument(
        "--processes",
        action="store_true",
        help="the gateway (python -m gateway serve) and the sandbox each in a process of its own",
    )
    args = parser.parse_args()
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
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
    # A minimal upstream call at this latency, as delivered (`round_trip_ms`).
    round_trip_ms: float

    def p(self, pct: float) -> float:
        return percentile(sorted(self.samples), pct)


class Upstreams(Protocol):
    """What a measurement needs of the running stack, in one process or in three."""

    @property
    def arrivals(self) -> list[Arrival]: ...

    async def reset(self, latency_ms: float) -> None: ...
    async def calls(self) -> int: ...
    async def round_trip_ms(self) -> float: ...
    async def inbox_page(self, first: int) -> dict[str, Any]: ...


@dataclass
class InProcess:
    """The sandbox, the gateway and this client on one event loop (`_stack.running_stack`): the sandbox's
    and the client's work count in the gateway's latency, and each upstream call's arrival is seen."""

    stack: Stack

    @property
    def arrivals(self) -> list[Arrival]:
        return self.stack.arrivals

    async def reset(self, latency_ms: float) -> None:
        self.stack.sandbox.reset()
        self.stack.set_latency(latency_ms)

    async def calls(self) -> int:
        return sum(c.total() for c in self.stack.counts().values())

    async def round_trip_ms(self) -> float:
        return await round_trip_ms(self.stack.http, self.stack.sandbox.urls["registry"])

    async def inbox_page(self, first: int) -> dict[str, Any]:
        return await self.stack.inbox_page(first)


@dataclass
class Processes:
    """The gateway served as a person serves it and the sandbox in its own process, as upstreams are in
    production, controlled over HTTP (`/_sandbox/faults`, `/_sandbox/stats`): only the gateway's own
    work, and this client's, lies between the upstream calls. Arrivals are not seen in this mode."""

    http: aiohttp.ClientSession
    sandbox_urls: dict[str, str]
    gateway_url: str
    token: str
    arrivals: list[Arrival] = field(default_factory=list)

    def _controls(self) -> list[str]:
        # The control endpoints are at each service's root (a FHIR service's base URL ends in /fhir).
        return [f"{URL(url).origin()}/_sandbox" for url in self.sandbox_urls.values()]

    async def reset(self, latency_ms: float) -> None:
        for control in self._controls():
            async with self.http.post(f"{control}/reset") as resp:
                resp.raise_for_status()
            async with self.http.post(f"{control}/faults", json={"latency_ms": latency_ms}) as resp:
                resp.raise_for_status()

    async def calls(self) -> int:
        total = 0
        for control in self._controls():
            async with self.http.get(f"{control}/stats") as resp:
                total += (await resp.json())["total"]
        return total

    async def round_trip_ms(self) -> float:
        return await round_trip_ms(self.http, self.sandbox_urls["registry"])

    async def inbox_page(self, first: int) -> dict[str, Any]:
        return await inbox_page(self.http, self.gateway_url, self.token, first)


async def round_trip_ms(http: aiohttp.ClientSession, registry_url: str, calls: int = 21) -> float:
    """The median time of a minimal upstream call (one person from the registry) as a client sees it:
    the injected latency as the sandbox delivers it (asyncio rounds a timer up to the millisecond),
    plus loopback and the smallest answer."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        async with http.get(f"{registry_url}/persons", params={"ids": KARI}) as resp:
            await resp.read()
            resp.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


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
                yield Processes(http, up.urls, gateway.url, token)


async def measure(stack: Upstreams, latency_ms: float, args: argparse.Namespace) -> Row:
    await stack.reset(latency_ms)
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
        await stack.round_trip_ms(),
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
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def compare(label: str, p50: float, bound: float) -> str:
    ratio = f"{p50 / bound:.2f}" if bound else "n/a"
    return f"{label}: p50 {p50:.1f} ms vs lower bound {bound:g} ms (overhead {p50 - bound:.1f} ms, ratio {ratio})"


async def main() -> int:
    args = parse_args()
    rows: list[Row] = []
    async with contextlib.AsyncExitStack() as running:
        if args.processes:
            stack: Upstreams = await running.enter_async_context(processes())
        else:
            stack = InProcess(await running.enter_async_context(running_stack()))
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
            delivered = len(QUERY_LEVELS) * row.round_trip_ms
            print(
                compare(f"latency={row.latency_ms:g}", row.p(50), round(delivered, 1))
                + f" - the bound as delivered: {len(QUERY_LEVELS)} x {row.round_trip_ms:.1f} ms, the median"
                " time of a minimal upstream call"
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
    sys.exit(asyncio.run(main()))
