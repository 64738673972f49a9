"""Instructions the gateway process executes per request, counted by valgrind's callgrind.

CPU time per request wanders by 20% or more on these shared machines; an instruction count does not:
callgrind counts the same for the same program and input whatever else the machine is doing. So
this script gives the figure that a change can be judged by, where cpu_per_request.py gives the
milliseconds.

The gateway is served as cpu_per_request.py serves it (`python -m gateway serve`, the sandbox in a
process of its own, tokens checked against a key set this process serves), but run by
`valgrind --tool=callgrind`, with one request in flight. For each document it runs twice, answering
`--few` and then `--many` requests after the same warm-up; the difference of the two totals over
the difference of the counts is what one request costs, with start-up, warm-up and shutdown
cancelled out. `--baseline PATH` counts another checkout of this repository in the same run, side
by side (one whose `serve` prints its URL, as this one does). Under callgrind the gateway runs about
40 times slower: a run takes a few minutes. Figures print; nothing is asserted.

    python bench/instructions.py [--few 10] [--many 50] [--warmup 5] [--baseline PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
import tempfile
from pathlib import Path

import aiohttp
from cpu_per_request import (
    DOCUMENTS,
    ROOT,
    Document,
    Upstreams,
    ask,
    gateway_process,
    leaves,
    run,
    signed_in,
    upstreams,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--few", type=int, default=10, help="requests of the shorter run")
    parser.add_argument("--many", type=int, default=50, help="requests of the longer run")
    parser.add_argument("--warmup", type=int, default=5, help="requests before either run counts")
    parser.add_argument("--baseline", type=Path, help="another checkout of this repository, counted beside this one")
    args = parser.parse_args()
    if not 0 < args.few < args.many or args.warmup < 0:
        parser.error("need 0 < --few < --many and --warmup >= 0")
    if args.baseline is not None and not (args.baseline / "gateway" / "__main__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no gateway/__main__.py there")
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    return args


async def total_instructions(up: Upstreams, checkout: Path, document: Document, warmup: int, requests: int) -> int:
    """Instructions of one gateway process, from start to exit, that answers `warmup` + `requests` requests."""
    up.key_set.fetches = 0  # a new process fetches the key set again
    with tempfile.TemporaryDirectory(prefix="instructions-") as tmp:
        out = Path(tmp) / "callgrind.%p.out"
        wrapper = ["valgrind", "--tool=callgrind", "--dump-instr=no", f"--callgrind-out-file={out}"]
        async with (
            gateway_process(
                up.gateway_env(), 1, Path(tmp) / "gateway.log", wrapper=wrapper, checkout=checkout
            ) as gateway,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as http,
        ):
            token = await signed_in(http, gateway, up.key_set)
            fields = leaves(await ask(http, gateway.url, token, document))
            await run(http, gateway.url, token, document, warmup + requests, 1, fields)
        # valgrind writes its counts when the process exits (gateway_process stopped it).
        return _counted(tmp)


def _counted(directory: str) -> int:
    """The instructions callgrind counted, summed over the processes it ran."""
    totals = []
    for path in Path(directory).glob("callgrind.*.out"):
        found = re.search(r"^summary:\s+(\d+)", path.read_text(errors="replace"), re.MULTILINE)
        if found is None:
            raise RuntimeError(f"{path}: no summary line")
        totals.append(int(found[1]))
    if not totals:
        raise RuntimeError("callgrind wrote no counts")
    return sum(totals)


async def per_request(up: Upstreams, checkout: Path, document: Document, args: argparse.Namespace) -> float:
    few: int = args.few
    many: int = args.many
    counted_few = await total_instructions(up, checkout, document, args.warmup, few)
    counted_many = await total_instructions(up, checkout, document, args.warmup, many)
    return (counted_many - counted_few) / (many - few)


async def main(args: argparse.Namespace) -> None:
    checkouts = {"this checkout": ROOT}
    if args.baseline is not None:
        checkouts = {f"baseline ({args.baseline})": args.baseline.resolve(), **checkouts}
    async with upstreams() as up:
        figures = {
            (name, document.name): await per_request(up, checkout, document, args)
            for document in DOCUMENTS
            for name, checkout in checkouts.items()
        }
    print(f"Instructions of the gateway process per request (callgrind; {args.many} minus {args.few} requests,")
    print(f"one in flight, after {args.warmup} warm-up), in millions:")
    print()
    names = list(checkouts)
    print(f"{'document':<26} " + " ".join(f"{name:>20}" for name in names) + ("   ratio" if len(names) > 1 else ""))
    for document in DOCUMENTS:
        counts = [figures[(name, document.name)] for name in names]
        ratio = f"   {counts[-1] / counts[0]:.2f}" if len(counts) > 1 else ""
        print(f"{document.name:<26} " + " ".join(f"{count / 1e6:>20.1f}" for count in counts) + ratio)


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except KeyboardInterrupt:
        sys.exit(130)
