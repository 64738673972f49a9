"""`python -m sandbox`: run the five services on fixed ports (8101-8105) until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.runner import FIXED_PORTS, start_sandbox


async def _serve(host: str, base_port: int) -> None:
    ports = {name: base_port + i for i, name in enumerate(FIXED_PORTS)}
    sandbox = await start_sandbox(host, ports)
    try:
        for name, url in sandbox.urls.items():
            print(f"{name:13} {url}", flush=True)
        await asyncio.Event().wait()
    finally:
        await sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=FIXED_PORTS["registry"])
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.base_port))


if __name__ == "__main__":
    main()
