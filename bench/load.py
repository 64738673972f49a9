"""The gateway under load: throughput, latency and every answer that is not a clean 200, per level.

The gateway is served as cpu_per_request.py serves it (`python -m gateway serve`, one worker, the
sandbox in a process of its own, tokens checked against a key set this process serves). For each
`--connections` level, that many clients send the README's inbox page (`_stack.py`: INBOX_PAGE,
20 threads) back to back for `--duration` seconds, each on a connection of its own. It prints, per
level: requests per second, p50 / p99 latency, and how many answers were not HTTP 200 or carried
GraphQL errors, by status and by error code. Goal at 64 connections: no non-200 and no GraphQL
error. Past what one process can serve (`GATEWAY_MAX_IN_FLIGHT`, 64 by default), the excess is
answered 503 OVERLOADED at once: never UPSTREAM_UNAVAILABLE for the gateway's own saturation. A
client told 503 waits its `Retry-After` before it asks again, as a well-behaved client does.
The gateway process's resident memory (VmRSS in /proc/PID/status) is read every second: per level
its value at the start, its peak and its value at the end, and, for a level of several minutes, one
reading a minute, so that memory that grows with time shows. Figures print; nothing is asserted.

    python bench/load.py [--connections 64 200] [--duration 60] [--max-in-flight 64]
    python bench/load.py --connections 64 --duration 600     # memory over ten minutes at 64 connections
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson
from _stack import INBOX_PAGE, KARI
from cpu_per_request import gateway_process, signed_in, upstreams

BODY = orjson.dumps({"query": INBOX_PAGE, "variables": {"person": KARI, "first": 20}})


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, nargs="+", default=[64, 200], help="clients at once, each a row")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--max-in-flight", type=int, default=64, help="the gateway's GATEWAY_MAX_IN_FLIGHT")
    args = parser.parse_args()
    if args.duration <= 0 or min(args.connections) < 1:
        parser.error("--duration must be positive and --connections at least 1")
    return args


@dataclass
class Level:
    connections: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)  # GraphQL error codes, of any status
    failed: Counter[str] = field(default_factory=Counter)  # no answer at all (connection errors)
    rss_mb: list[float] = field(default_factory=list)  # the gateway's resident memory, once a second

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else math.nan


async def client(url: str, token: str, until: float, level: Level) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                async with http.post(f"{url}/graphql", data=BODY, headers=headers) as resp:
                    raw = await resp.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                level.failed[type(exc).__name__] += 1
                continue
            level.latencies_ms.append((time.perf_counter() - started) * 1000)
            level.statuses[resp.status] += 1
            if resp.status == 503 and (retry_after := resp.headers.get("Retry-After", "")).isdigit():
                # As a well-behaved client does; the wait is not part of the latency.
                await asyncio.sleep(min(float(retry_after), until - time.monotonic()))
            try:
                answer = orjson.loads(raw)
            except orjson.JSONDecodeError:
                level.codes["(not JSON)"] += 1
                continue
            for error in answer.get("errors") or ():
                level.codes[(error.get("extensions") or {}).get("code", "(no code)")] += 1


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


async def sample_memory(pid: int, until: float, level: Level) -> None:
    while True:
        level.rss_mb.append(resident_mb(pid))
        if time.monotonic() >= until:
            return
        await asyncio.sleep(1.0)


async def run_level(url: str, token: str, pid: int, connections: int, duration: float) -> Level:
    level = Level(connections)
    started = time.monotonic()
    until = started + duration
    await asyncio.gather(
        sample_memory(pid, until, level), *(client(url, token, until, level) for _ in range(connections))
    )
    level.seconds = time.monotonic() - started
    return level


def report(levels: list[Level], args: argparse.Namespace) -> None:
    print(f"The README's inbox page (20 threads) for Kari, {args.duration:g} s per level, one gateway worker,")
    print(f"GATEWAY_MAX_IN_FLIGHT={args.max_in_flight}; latency in ms, client POST to full answer.")
    print()
    print(
        f"{'connections':>11} {'requests':>9} {'req/s':>7} {'p50':>7} {'p99':>7} {'non-200':>8} {'errors':>7}  detail"
    )
    for level in levels:
        total = sum(level.statuses.values())
        non_200 = total - level.statuses[200]
        detail = ", ".join(
            [f"HTTP {status}: {n}" for status, n in sorted(level.statuses.items()) if status != 200]
            + [f"{code}: {n}" for code, n in level.codes.most_common()]
            + [f"no answer ({name}): {n}" for name, n in level.failed.most_common()]
        )
        print(
            f"{level.connections:>11} {total:>9} {total / level.seconds:>7.1f} {level.percentile(50):>7.1f} "
            f"{level.percentile(99):>7.1f} {non_200:>8} {sum(level.codes.values()):>7}  {detail or '-'}"
        )
    print()
    print("resident memory of the gateway process (MB): at the start, peak, at the end of each level")
    for level in levels:
        if level.rss_mb:
            print(f"{level.connections:>11} {level.rss_mb[0]:>7.1f} {max(level.rss_mb):>7.1f} {level.rss_mb[-1]:>7.1f}")
        if len(level.rss_mb) > 120:
            minutes = level.rss_mb[60::60]
            print(f"{'':>11} once a minute: " + ", ".join(f"{mb:.1f}" for mb in minutes))
    if any(level.latencies_ms for level in levels):
        print()
        print(
            "mean latency per level: "
            + ", ".join(
                f"{level.connections}: {statistics.fmean(level.latencies_ms):.1f}"
                for level in levels
                if level.latencies_ms
            )
        )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        async with upstreams() as up:
            env = {**up.gateway_env(), "GATEWAY_MAX_IN_FLIGHT": str(args.max_in_flight)}
            async with gateway_process(env, 1, Path(tmp) / "gateway.log") as gateway, aiohttp.ClientSession() as http:
                token = await signed_in(http, gateway, up.key_set)
                pid = gateway.process.pid
                levels = [await run_level(gateway.url, token, pid, n, args.duration) for n in args.connections]
    report(levels, args)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
