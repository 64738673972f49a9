"""`python -m gateway`: the demo (default), `serve` against configured upstreams, or `export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import socket
import sys
from pathlib import Path

from gateway.core.config import ConfigError, Settings

# As argparse exits on a bad command line: the command cannot run as it is configured.
EXIT_MISCONFIGURED = 2


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

    try:
        settings = Settings.load()
        if args.command == "serve":
            _serve(settings)
        else:
            _demo(settings)
    except ConfigError as exc:
        # One line per problem, naming what to set: a traceback would bury it.
        print(exc, file=sys.stderr)
        return EXIT_MISCONFIGURED
    return 0


def _serve(settings: Settings) -> None:
    import uvicorn

    from gateway.app import build_app

    try:
        app = build_app(settings)
    except ValueError as exc:  # settings it cannot serve with, e.g. no GATEWAY_JWKS_URL; the message names them
        raise ConfigError(str(exc)) from None
    with _listen(settings) as listener:
        server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info"))
        # Given a socket, uvicorn does not say where it listens.
        print(f"Serving GraphQL on http://{settings.host}:{settings.port}/graphql", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it has shut down
            server.run(sockets=[listener])


def _demo(settings: Settings) -> None:
    from gateway.demo import run_demo

    # Before the sandbox starts and the banner promises a URL.
    with _listen(settings) as listener, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(settings, listener))


def _listen(settings: Settings) -> socket.socket:
    from gateway.serving import listening_socket

    host, port = settings.host, settings.port
    try:
        return listening_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is in use; set GATEWAY_PORT to another port") from None
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); check GATEWAY_HOST and GATEWAY_PORT"
        ) from None


if __name__ == "__main__":
    sys.exit(main())
