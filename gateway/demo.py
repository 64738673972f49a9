"""The demo: the sandbox upstreams and the gateway in one process, one command."""

from __future__ import annotations

import socket

import uvicorn

from gateway.app import build_app, web_app_dir
from gateway.core.config import Settings
from gateway.demo_tokens import PERSONAS
from gateway.serving import LOGGING
from sandbox import start_sandbox


def banner(settings: Settings) -> str:
    url = f"http://{settings.host}:{settings.port}/graphql"
    web_app = web_app_dir(settings)
    if web_app.is_dir():
        innboks = f"http://{settings.host}:{settings.port}/app/   (the reference web app, web/)"
    else:  # /app/ then answers 404, and only here can the demo say why
        build = "`npm ci && npm run build` in web/ (./scripts/demo does)"
        innboks = f"not at /app/: no build in {web_app}; build it with {build}"
    lines = [
        "",
        f"  GraphiQL:  {url}   (pick a persona at the top of the page)",
        f"  Innboks:   {innboks}",
        f'  Tokens:    curl -s -X POST -d \'{{"pid": "12848510058"}}\' http://{settings.host}:{settings.port}/demo/token',
        "  Personas:",
        *(f"    {p.id}  {p.name:<15} {p.note}" for p in PERSONAS),
        "",
    ]
    return "\n".join(lines)


async def run_demo(settings: Settings, listener: socket.socket) -> None:
    """Start the sandbox, then serve the gateway over it on `listener` (bound to settings.host:port)."""
    async with await start_sandbox(settings.host) as sandbox:
        demo_settings = settings.model_copy(update={"demo": True}).with_upstreams(sandbox.urls)
        app = build_app(demo_settings)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
            **LOGGING,
        )
        server = uvicorn.Server(config)
        print(banner(demo_settings), flush=True)
        await server.serve(sockets=[listener])
