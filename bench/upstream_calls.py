"""How many upstream calls the inbox page costs, at 5, 20 and 60 threads.

The gateway batches every read through per-request data loaders, so the count per source must not
grow with the number of threads on the page (DESIGN.md section 1: "one upstream call per source per
level, never one per item"). This prints the counts side by side and exits 1 if any differ across
page sizes, so it doubles as a smoke check. It prints figures only; it is not a test.

    python bench/upstream_calls.py [--sizes 5 20 60]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter

from _stack import SOURCE_NAMES, PageError, running_stack


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[5, 20, 60], help="thread page sizes (first: N), default 5 20 60"
    )
    return parser.parse_args()


def table(by_size: dict[int, dict[str, Counter[str]]]) -> tuple[str, bool]:
    """The counts per source (rows) and page size (columns); also whether they are all the same."""
    sizes = list(by_size)
    header = ["source", *(f"N={n}" for n in sizes), "per item?"]
    rows: list[list[str]] = []
    constant = True
    for source in [*SOURCE_NAMES, "total"]:
        if source == "total":
            values = [sum(c.total() for c in by_size[n].values()) for n in sizes]
        else:
            values = [by_size[n][source].total() for n in sizes]
        same = len(set(values)) == 1
        constant = constant and same
        rows.append([source, *(str(v) for v in values), "no" if same else "YES"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines), constant


def routes(counts: dict[str, Counter[str]]) -> str:
    lines = []
    for source in SOURCE_NAMES:
        for route, n in sorted(counts[source].items()):
            lines.append(f"  {source:<13} {route:<28} {n}")
    return "\n".join(lines)


async def main() -> int:
    args = parse_args()
    by_size: dict[int, dict[str, Counter[str]]] = {}
    async with running_stack() as stack:
        for first in args.sizes:
            stack.sandbox.reset()
            try:
                await stack.inbox_page(first)
            except PageError as exc:
                print(f"ERROR at N={first}: {exc}", file=sys.stderr)
                return 2
            by_size[first] = stack.counts()

    text, constant = table(by_size)
    print("Upstream calls for one inbox-page query (Kari, 12848510058), by thread page size")
    print()
    print(text)
    print()
    largest = max(by_size)
    print(f"Per route at N={largest}:")
    print(routes(by_size[largest]))
    print()
    if constant:
        print("OK: the number of upstream calls does not depend on the number of threads.")
        return 0
    print("FAIL: some source is called per item (counts differ across page sizes).")
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
