"""Serving the gateway with uvicorn: its listening socket, worker processes on one port, and serving
inside a running loop (tests, benchmarks).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from gateway.app import build_app
from gateway.core.config import Settings
from gateway.logs import LOGGING_CONFIG

# uvicorn's "auto": uvloop and httptools when installed (uvicorn[standard] brings both), else asyncio
# and h11; the HTTP protocol with the requests uvicorn refuses itself answered as JSON (http_protocol.py).
LOOP = "auto"
HTTP = "gateway.http_protocol:HttpProtocol"
# JSON lines, and our access log instead of uvicorn's (gateway/logs.py): for every process that serves.
LOGGING: dict[str, Any] = {"log_config": LOGGING_CONFIG, "access_log": False, "log_level": "info"}


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port for `uvicorn.Server.run(sockets=...)` or `serve_workers`; OSError when it
    cannot be had.

    Binding before anything else starts lets a command refuse a port in use at once, and listening
    right away keeps any other process from taking the port between that check and serving.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn does: a restarted gateway need not wait for the old connections' TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except BaseException:
        sock.close()
        raise
    return sock


def app_from_environment() -> Starlette:
    """The gateway as the environment configures it: the app factory each worker process calls.

    Also uvicorn's own way to run it: `uvicorn --factory gateway.serving:app_from_environment --workers 4`
    (without the checks of `python -m gateway serve`: settings, a free port, REDIS_URL for more than one).
    """
    return build_app(Settings.load())


def serve_workers(listener: socket.socket, workers: int, settings: Settings) -> int:
    """Serve the gateway on `listener` with `workers` processes until SIGINT or SIGTERM; the exit status.

    uvicorn's supervisor starts each worker in a fresh interpreter (spawn), hands it `listener`, and
    replaces one that dies; each worker builds the app from the environment (`app_from_environment`),
    so the caller checks the settings first. A worker that fails during start-up stops them all: the
    status is then uvicorn's STARTUP_FAILURE (3), which any later worker would meet too.
    """
    config = uvicorn.Config(
        f"{__name__}:{app_from_environment.__name__}",
        factory=True,
        workers=workers,
        loop=LOOP,
        http=HTTP,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        **LOGGING,
    )
    supervisor = Multiprocess(config, sockets=[listener])
    supervisor.run()
    return STARTUP_FAILURE if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes) else 0


@asynccontextmanager
async def serving(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` with uvicorn until the block ends; yields its base URL (an ephemeral port by default)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", loop=LOOP, http=HTTP)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error here
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        server.should_exit = True
        await task
