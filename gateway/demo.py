"""The demo: the sandbox upstreams and the gateway in one process, one command."""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import uvicorn

from gateway.app import WEB_APP, build_app
from gateway.core.config import Settings
from gateway.demo_tokens import PERSONAS
from gateway.serving import LOGGING
from sandbox import start_sandbox


def banner(settings: Settings) -> str:
    url = f"http://{settings.host}:{settings.port}/graphql"
    lines = [
        "",
        f"  GraphiQL:  {url}   (pick a persona at the top of the page)",
        *(
            [f"  Innboks:   http://{settings.host}:{settings.port}/app/   (the reference web app, web/)"]
            if WEB_APP.is_dir()
            else []
        ),
        f'  Tokens:    curl -s -X POST -d \'{{"pid": "12848510058"}}\' http://{settings.host}:{settings.port}/demo/token',
        "  Personas:",
        *(f"    {p.id}  {p.name:<15} {p.note}" for p in PERSONAS),
        "",
    ]
    return "\n".join(lines)


async def run_demo(settings: Settings, listener: socket.socket) -> None:
    """Start the sandbox, then serve the gateway over it on `listener` (bound to settings.host:port)."""
    with tempfile.TemporaryDirectory(prefix="gateway-demo-keys-") as keys:
        async with await start_sandbox(settings.host) as sandbox:
            # The demo's Maskinporten client: a key made now, known to the sandbox's Maskinporten alone.
            client = sandbox.maskinporten_client(Path(keys), client_id="health-gateway-demo")
            demo_settings = settings.model_copy(update={"demo": True, **client}).with_upstreams(sandbox.urls)
            await _serve(demo_settings, listener)


async def _serve(settings: Settings, listener: socket.socket) -> None:
    config = uvicorn.Config(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,
        **LOGGING,
    )
    server = uvicorn.Server(config)
    print(banner(settings), flush=True)
    await server.serve(sockets=[listener])
