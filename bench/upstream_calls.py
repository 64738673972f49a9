"""How many upstream calls a query costs: the inbox page at 5, 60 and 500 threads, and one federated
`_entities` call run several times.

The gateway batches every read through per-request data loaders, so the count per source must not
grow with the number of items (docs/architecture.md#loaders: "one upstream call per source per level of the query, never
one per item"), and the same query must cost the same on every run, however the upstreams' answers
interleave. This prints the counts and exits 1 if they differ across sizes or runs, so it doubles as
a smoke check. It prints figures only; it is not a test.

- Inbox page: N threads on the page, out of the 64 Kari has in the seed. Beyond the API's
  largest page (100), her inbox is topped up with generated threads (`seed.inbox_with_kari_threads`)
  so that she has N, and the page lists 100: at N=500 the gateway judges 500 threads, lists 100.
- `_entities`: the same persons, contacts and appointments each run, with the sandbox's latency
  changed per source from run to run, so the answers come back in a different order every time.
- Each count is of a cold page: the reference data the gateway keeps across requests (Practitioner,
  Organization, Location; gateway/core/reference_cache.py) is forgotten before it. Then the largest
  page runs once more, warm, and its calls print: no Location search.

    python bench/upstream_calls.py [--sizes 5 60 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import Counter
from typing import Any

from _stack import KARI, SOURCE_NAMES, PageError, Stack, running_stack

from gateway.resolvers.pagination import MAX_PAGE_SIZE
from sandbox import seed
from sandbox.inbox import serve_inbox

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Person { id name { full } }
    ... on HealthContact { id contactName: name role serviceKind organization }
    ... on Appointment { id title start serviceKind organization }
  }
}
"""

REPRESENTATIONS = list(seed.SAMPLE_REPRESENTATIONS)
LATENCIES_MS = (0.0, 2.0, 5.0, 10.0, 20.0)

Counts = dict[str, Counter[str]]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[5, 60, 500],
        help="threads on the page (beyond 100: Kari has N, the page 100), default 5 60 500",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of the same _entities call, default 5")
    return parser.parse_args()


def table(columns: dict[str, Counts], same_label: str) -> tuple[str, bool]:
    """The counts per source (rows) and column; also whether every row is the same across columns."""
    header = ["source", *columns, same_label]
    rows: list[list[str]] = []
    constant = True
    for source in [*SOURCE_NAMES, "total"]:
        if source == "total":
            values = [sum(c.total() for c in counts.values()) for counts in columns.values()]
        else:
            values = [counts[source].total() for counts in columns.values()]
        same = len(set(values)) == 1
        constant = constant and same
        rows.append([source, *(str(v) for v in values), "yes" if same else "NO"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines), constant


def routes(counts: Counts) -> str:
    lines = []
    for source in SOURCE_NAMES:
        for route, n in sorted(counts[source].items()):
            lines.append(f"  {source:<13} {route:<28} {n}")
    return "\n".join(lines)


async def inbox_page(stack: Stack, threads: int, *, warm: bool = False) -> Counts:
    """The calls of one page; cold (no reference data kept from before) unless `warm`."""
    if not warm:
        stack.reference_cache.clear()
    stack.sandbox.reset()
    if threads > sum(1 for t in seed.THREADS if t.owner == KARI):
        serve_inbox(stack.sandbox.apps["inbox"], *seed.inbox_with_kari_threads(threads))
        stack.sandbox.control("inbox").counts.clear()
    body = await stack.inbox_page(min(threads, MAX_PAGE_SIZE))
    total = body["data"]["person"]["threads"]["totalCount"] + body["data"]["person"]["threads"]["hiddenCount"]
    if total < threads:
        raise PageError(f"Kari should have {threads} threads, the page counts {total}")
    return stack.counts()


async def entities(stack: Stack, run: int) -> Counts:
    stack.reference_cache.clear()  # every run cold, so that runs compare
    stack.sandbox.reset()
    # Reset clears faults: set this run's latencies after it. Seeded, so every invocation is alike.
    pick = random.Random(run)
    for source in SOURCE_NAMES:
        stack.sandbox.control(source).latency_ms = pick.choice(LATENCIES_MS)
    async with stack.http.post(
        f"{stack.url}/graphql",
        json={"query": ENTITIES, "variables": {"representations": REPRESENTATIONS}},
        headers={"Authorization": f"Bearer {stack.token}"},
    ) as resp:
        body: dict[str, Any] = await resp.json()
    found = (body.get("data") or {}).get("_entities")
    if resp.status != 200 or not isinstance(found, list) or len(found) != len(REPRESENTATIONS):
        raise PageError(f"_entities answered {resp.status}: {body}")
    if not any(found):
        raise PageError(f"_entities found nothing: {body.get('errors')}")
    return stack.counts()


async def main() -> int:
    args = parse_args()
    by_size: dict[str, Counts] = {}
    by_run: dict[str, Counts] = {}
    async with running_stack() as stack:
        try:
            for threads in args.sizes:
                page = min(threads, MAX_PAGE_SIZE)
                by_size[f"N={threads}" if page == threads else f"N={threads} (page {page})"] = await inbox_page(
                    stack, threads
                )
            largest = args.sizes[-1]
            warm = await inbox_page(stack, largest, warm=True)
            for run in range(1, args.runs + 1):
                by_run[f"run {run}"] = await entities(stack, run)
        except PageError as exc:
            print(f"ERROR: {exc}", file=sys.stderr)
            return 2
        finally:
            stack.sandbox.reset()

    inbox_text, inbox_constant = table(by_size, "same?")
    print(f"Upstream calls for one inbox-page query (Kari, {KARI}), by the number of threads on it")
    print()
    print(inbox_text)
    print()
    largest_name = list(by_size)[-1]
    print(f"Per route at {largest_name}:")
    print(routes(by_size[largest_name]))
    print()
    print("The same page again, warm (Practitioner, Organization and Location kept from the page before):")
    print(routes(warm))
    print()
    entities_text, entities_constant = table(by_run, "same?")
    print(
        f"Upstream calls for one _entities call ({len(REPRESENTATIONS)} representations: persons, contacts, "
        "appointments), the same call run again with other upstream latencies"
    )
    print()
    print(entities_text)
    print()
    print(f"Per route in {list(by_run)[-1]}:")
    print(routes(by_run[list(by_run)[-1]]))
    print()
    ok = True
    if inbox_constant:
        print("OK: the inbox page's upstream calls do not depend on the number of threads.")
    else:
        ok = False
        print("FAIL: some source is called per item (counts differ across sizes).")
    if entities_constant:
        print("OK: _entities costs the same upstream calls on every run.")
    else:
        ok = False
        print("FAIL: _entities costs differ from run to run.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
