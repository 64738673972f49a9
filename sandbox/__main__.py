"""`python -m sandbox`: run every sandbox service on its fixed port (8101-8105) until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from gateway.core.upstreams import SOURCES
from sandbox.runner import start_sandbox


async def _serve(host: str, base_port: int, peer_registry: bool) -> None:
    # The ports keep their spacing, so by default they are the gateway's default upstream URLs.
    shift = base_port - SOURCES[0].sandbox_port
    ports = {source.name: source.sandbox_port + shift for source in SOURCES}
    sandbox = await start_sandbox(host, ports, peer_registry=peer_registry)
    try:
        for name, url in sandbox.urls.items():
            print(f"{name:13} {url}", flush=True)
        await asyncio.Event().wait()
    finally:
        await sandbox.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--base-port",
        type=int,
        default=SOURCES[0].sandbox_port,
        help=f"the first service's port; the others keep their distance from it (default {SOURCES[0].sandbox_port})",
    )
    # On by default: compare.sh starts `python -m sandbox` with no flag, and this command serves no test,
    # benchmark or demo (they start the sandbox in their own process, without the route).
    parser.add_argument(
        "--peer-registry",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the registry also serves GET /persons, its format from before Freg's, for the Node peer of"
        " ../shared/peer-mesh (compare.sh) and nothing else (default: on)",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.base_port, args.peer_registry))


if __name__ == "__main__":
    main()
