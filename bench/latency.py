"""End-to-end latency of the inbox page, with and without injected upstream latency, beside its lower bound.

Runs the sandbox and the gateway in this process (loopback HTTP, as a frontend would call it), then for
each injected latency (default 0 and 20 ms on every sandbox source) sends `--warmup` requests, then
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

    python bench/latency.py [--requests 100] [--warmup 5] [--first 20] [--latency-ms 0 20]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from _stack import Arrival, PageError, Stack, running_stack

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

    def p(self, pct: float) -> float:
        return percentile(sorted(self.samples), pct)


async def measure(stack: Stack, latency_ms: float, args: argparse.Namespace) -> Row:
    stack.sandbox.reset()
    stack.set_latency(latency_ms)
    for _ in range(args.warmup):
        await stack.inbox_page(args.first)
    for name in stack.counts():
        stack.sandbox.control(name).counts.clear()
    stack.arrivals.clear()
    windows: list[tuple[float, float]] = []
    for _ in range(args.requests):
        started = time.perf_counter()
        await stack.inbox_page(args.first)
        windows.append((started, time.perf_counter()))
    calls = sum(c.total() for c in stack.counts().values()) / args.requests
    return Row(
        latency_ms, [(end - start) * 1000 for start, end in windows], calls, median_arrivals(stack.arrivals, windows)
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
    async with running_stack() as stack:
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
        if row.latency_ms and baseline is not None:
            print(
                f"latency={row.latency_ms:g}: expected p50 = lower bound {bound:g} + p50 at 0 ms "
                f"{baseline:.1f} = {bound + baseline:.1f} ms"
            )
    for row in rows:
        if not row.latency_ms:
            continue  # without injected latency the levels run into each other
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
