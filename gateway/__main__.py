"""`python -m gateway`: the demo (default), `serve` against configured upstreams, `export-schema`, or
`check-documents` (a trusted-documents manifest against the schema)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import signal
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
    serve = commands.add_parser("serve", help="the gateway against the upstream URLs in GATEWAY_* variables")
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes serving the one port (default GATEWAY_WORKERS, else 1); more than 1 needs REDIS_URL",
    )
    export = commands.add_parser("export-schema", help="write the SDL to a file")
    export.add_argument("path", nargs="?", default="schema.graphql", help="where to write (default schema.graphql)")
    documents = commands.add_parser(
        "check-documents", help="check a trusted-documents manifest against the schema; print each operation's cost"
    )
    documents.add_argument("path", type=Path, help="persisted-documents.json or an Apollo persisted query manifest")
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        from gateway.schema import sdl

        Path(args.path).write_text(sdl())
        print(f"wrote {args.path}")
        return 0

    try:
        settings = Settings.load()
        if args.command == "check-documents":
            return _check_documents(settings, args.path)
        if args.command == "serve":
            return _serve(settings, args.workers)
        _demo(settings)
    except ConfigError as exc:
        # One line per problem, naming what to set: a traceback would bury it.
        print(exc, file=sys.stderr)
        return EXIT_MISCONFIGURED
    return 0


def _serve(settings: Settings, workers_flag: int | None) -> int:
    import uvicorn

    from gateway.app import build_app, start_checks
    from gateway.draining import exit_quietly
    from gateway.serving import HTTP, LOGGING, LOOP, serve_workers

    workers = _workers(settings, workers_flag)
    try:
        if workers == 1:
            app = build_app(settings)
        else:
            start_checks(settings)  # each worker builds its own app; this process only checks the settings
    except ValueError as exc:  # settings it cannot serve with, e.g. no GATEWAY_JWKS_URL; the message names them
        raise ConfigError(str(exc)) from None
    with _listen(settings) as listener:
        # Given a socket, uvicorn does not say where it listens.
        port = listener.getsockname()[1]
        processes = f" with {workers} worker processes" if workers > 1 else ""
        print(f"Serving GraphQL on http://{settings.host}:{port}/graphql{processes}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises Ctrl-C once it has shut down
            if workers > 1:
                # Each worker builds its own app from the same environment, checked above.
                return serve_workers(listener, workers, settings)
            config = uvicorn.Config(
                app,
                host=settings.host,
                port=port,
                loop=LOOP,
                http=HTTP,
                timeout_graceful_shutdown=settings.shutdown_timeout_s,
                **LOGGING,
            )
            # uvicorn raises SIGTERM again once it has shut down; after a drain that is a normal end.
            signal.signal(signal.SIGTERM, exit_quietly)
            uvicorn.Server(config).run(sockets=[listener])
    return 0


def _check_documents(settings: Settings, path: Path) -> int:
    """For a frontend team's CI: 0 when every document of the manifest would be trusted, else 1."""
    from gateway import trusted_documents
    from gateway.schema import build_schema

    try:
        manifest = trusted_documents.load(path)
    except trusted_documents.ManifestError as exc:
        raise ConfigError(str(exc)) from None
    schema = build_schema(settings)
    checked = trusted_documents.check(manifest, schema.documents, schema._schema)
    print(f"{'id':<16} {'operation':<28} {'type':<12} {'cost':>7}  problems")
    for c in checked:
        name = c.document.name or "-"
        cost = "-" if c.cost is None else str(c.cost)
        print(
            f"{c.document.id[:16]:<16} {name[:28]:<28} {c.kind or '-':<12} {cost:>7}  {'; '.join(c.problems) or 'ok'}"
        )
    failed = sum(1 for c in checked if c.problems)
    limit = f"the cost limit is {settings.max_query_cost}"
    print(f"{len(checked)} documents, {failed} that would not be trusted; {limit} (GATEWAY_MAX_QUERY_COST)")
    return 1 if failed else 0


def _workers(settings: Settings, workers_flag: int | None) -> int:
    """How many processes `serve` runs: --workers, else GATEWAY_WORKERS; more than one must share state in Redis."""
    if workers_flag is not None:
        workers, given = workers_flag, f"--workers {workers_flag}"
    else:
        workers, given = settings.workers, f"{Settings.variable('workers')}={settings.workers}"
    if workers < 1:  # GATEWAY_WORKERS is checked with the other settings
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if workers > 1 and not settings.redis_url:
        raise ConfigError(f"{given} needs REDIS_URL: without it each worker keeps its own access log and inbox events")
    if workers > 1 and settings.demo:
        raise ConfigError(f"{given} cannot serve GATEWAY_DEMO=true: each worker would sign tokens with its own key")
    return workers


def _demo(settings: Settings) -> None:
    from gateway.demo import run_demo
    from gateway.draining import exit_quietly

    # Before the sandbox starts and the banner promises a URL.
    with _listen(settings) as listener, contextlib.suppress(KeyboardInterrupt):
        # As for `serve`: uvicorn raises SIGTERM again once it has shut down, and after a drain that is a
        # normal end (exit status 0); the sandbox still stops on the way out of run_demo.
        signal.signal(signal.SIGTERM, exit_quietly)
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
