"""`python -m gateway`: the demo (default), `serve` against configured upstreams, or `export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from gateway.core.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("demo", help="sandbox upstreams on loopback and the gateway on 127.0.0.1:8000 (default)")
    commands.add_parser("serve", help="the gateway against the upstream URLs in GATEWAY_* variables")
    export = commands.add_parser("export-schema", help="write the SDL to a file")
    export.add_argument("path", nargs="?", default="schema.graphql", help="where to write (default schema.graphql)")
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        from gateway.schema import sdl

        Path(args.path).write_text(sdl())
        print(f"wrote {args.path}")
        return 0

    settings = Settings()
    if args.command == "serve":
        import uvicorn

        from gateway.app import build_app

        uvicorn.run(build_app(settings), host=settings.host, port=settings.port, log_level="info")
        return 0

    from gateway.demo import run_demo

    try:
        asyncio.run(run_demo(settings))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
