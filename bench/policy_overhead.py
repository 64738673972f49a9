"""What the access rules cost: the same queries executed with every rule on, and with the rules off.

The target (docs/architecture.md#performance-budgets): all rules on for at most 1.2 x the cost of the same query with no
rules. This measures the gateway's own work only (graphql-core, Strawberry, resolvers, policy):
each query runs in-process through `schema.execute` with a fresh request context whose loaders
are already warm (every upstream answer cached), so no HTTP time hides the difference.

"Rules off" replaces the decisions with allow-everything stand-ins for the run: the service gate
and address mask pass through, every service is FULL, every item visible, and no thread is
filtered message by message. The representation decision stays (it is how a subject is found).

    python bench/policy_overhead.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any
from unittest import mock

import aiohttp
from _stack import sandbox_settings

from gateway.core.audit import MemoryAuditLog
from gateway.core.auth import Principal, PrincipalKind
from gateway.core.config import Settings
from gateway.core.events import MemoryEventBus
from gateway.policy import access as policy_access
from gateway.policy.clock import system_clock
from gateway.policy.vocabulary import Assurance, Visibility
from gateway.request.context import GatewayContext
from gateway.resolvers import appointments, contacts, threads
from gateway.schema import GatewaySchema, build_schema
from gateway.schema.directives import AddressMask
from gateway.sources import Sources
from gateway.sources.loaders import Loaders
from sandbox import start_sandbox

KARI, EMMA, OLA = "12848510058", "15861950082", "03894810369"
QUERY = """
query Page($person: ID!) {
  person(id: $person) {
    name { full } address { city }
    threads(first: 60) {
      totalCount hiddenCount
      nodes { id subject category unreadCount lastMessageAt
              counterpart { name role }
              messages(first: 5) { hiddenCount nodes { id sentAt direction body attachments { name } } } }
    }
    appointments(first: 20) { nodes { id start title status location { name address { city } } } }
    healthContacts(includeFormer: true) { id role current period { start end } }
  }
}
"""
CASES = [("Kari, herself (SELF)", KARI), ("Kari for Emma, 7 (PARENT)", EMMA), ("Kari for Ola (PROXY)", OLA)]


@contextlib.contextmanager
def rules_off() -> Iterator[None]:
    def full(*_args: Any) -> Visibility:
        return Visibility.FULL

    def visible(*_args: Any) -> bool:
        return True

    patches: list[contextlib.AbstractContextManager[Any]] = [
        # Decisions.service, behind every service gate, asks the policy module for each service.
        mock.patch.object(policy_access, "service_visibility", full),
        mock.patch.object(AddressMask, "_masked", lambda *_args: False),
        mock.patch.object(threads, "judges_each_message", lambda *_args: False),
        mock.patch.object(threads, "item_visible", visible),
        mock.patch.object(contacts, "item_visible", visible),
        mock.patch.object(appointments, "item_visible", visible),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        yield


async def timed_runs(schema: GatewaySchema, sources: Sources, loaders: Loaders, person: str, runs: int) -> list[float]:
    principal = Principal(PrincipalKind.PERSON, pid=KARI, assurance=Assurance.HIGH)
    samples = []
    for _ in range(runs):
        context = GatewayContext(principal, sources, system_clock, MemoryAuditLog(), MemoryEventBus())
        # Warm: every upstream answer is already cached, for the resolvers and the decisions alike.
        context.loaders = context.decisions.loaders = loaders
        started = time.perf_counter()
        result = await schema.execute(QUERY, variable_values={"person": person}, context_value=context)
        samples.append((time.perf_counter() - started) * 1000)
        if result.errors:
            raise RuntimeError(f"{person}: {result.errors[0].message}")
    return samples


async def peak_kib(schema: GatewaySchema, sources: Sources, loaders: Loaders, person: str) -> float:
    """Peak Python memory allocated while one request executes (tracemalloc), in KiB."""
    tracemalloc.start()
    try:
        await timed_runs(schema, sources, loaders, person, 1)
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="measured executions per case and mode")
    args = parser.parse_args()
    schema = build_schema(Settings())
    async with await start_sandbox() as sandbox, aiohttp.ClientSession() as http:
        sources = Sources.build(http, sandbox_settings(sandbox))
        loaders = Loaders(sources)
        rows = []
        for label, person in CASES:
            await timed_runs(schema, sources, loaders, person, 3)  # warm the loaders: from here on no HTTP
            with rules_off():
                await timed_runs(schema, sources, loaders, person, 3)
            # Alternate the modes in blocks so drift on a shared machine hits both alike.
            on: list[float] = []
            off: list[float] = []
            for _ in range(4):
                on += await timed_runs(schema, sources, loaders, person, args.runs // 4)
                with rules_off():
                    off += await timed_runs(schema, sources, loaders, person, args.runs // 4)
            memory_on = await peak_kib(schema, sources, loaders, person)
            with rules_off():
                memory_off = await peak_kib(schema, sources, loaders, person)
            rows.append((label, statistics.median(off), statistics.median(on), memory_off, memory_on))
    print(f"In-process execution with warm loaders: median of {args.runs} runs per mode (ms), and the peak memory")
    print("allocated while one request executes (tracemalloc)")
    print()
    print(f"{'case':<28} {'rules off':>10} {'rules on':>10} {'ratio':>7} {'peak KiB off':>13} {'peak KiB on':>12}")
    print(f"{'-' * 28} {'-' * 10} {'-' * 10} {'-' * 7} {'-' * 13} {'-' * 12}")
    for label, off_ms, on_ms, kib_off, kib_on in rows:
        print(f"{label:<28} {off_ms:>10.2f} {on_ms:>10.2f} {on_ms / off_ms:>7.2f} {kib_off:>13.0f} {kib_on:>12.0f}")
    print()
    print("Target (docs/architecture.md#performance-budgets): ratio at most 1.20.")


if __name__ == "__main__":
    asyncio.run(main())
