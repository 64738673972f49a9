"""`python -m gateway` (the demo) as a person runs it: what its banner says, and how it stops."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp

from tests.support import REPLY_WITHIN_S, gateway_process, log_tail, wait_until_ready


def demo_environment(port: int, **settings: str) -> dict[str, str]:
    """The demo on 127.0.0.1:`port` with `settings`; nothing of the developer's own configuration leaks in.
    It starts a sandbox of its own, so it needs no upstream URLs."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and k != "REDIS_URL"}
    return {**inherited, "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "PYTHONUNBUFFERED": "1", **settings}


async def test_sigterm_ends_the_demo_with_0_after_draining(unused_tcp_port: int, tmp_path: Path) -> None:
    """As `serve` ends (tests/e2e/test_shutdown.py): a service manager reads 0 as a clean stop."""
    url, log = f"http://127.0.0.1:{unused_tcp_port}", tmp_path / "demo.log"
    async with gateway_process(demo_environment(unused_tcp_port), log, command="demo") as process:
        await wait_until_ready(url, process, log, "the demo")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), REPLY_WITHIN_S) == 0, log_tail(log)
    assert "draining" in log.read_text()


def banner_line(log: Path, label: str) -> str:
    [line] = [line.strip() for line in log.read_text().splitlines() if line.strip().startswith(f"{label}:")]
    return line


async def test_the_demo_without_a_built_web_app_says_how_to_build_it(unused_tcp_port: int, tmp_path: Path) -> None:
    """Else /app/ answers 404 and nothing says why."""
    missing = tmp_path / "dist"
    url, log = f"http://127.0.0.1:{unused_tcp_port}", tmp_path / "demo.log"
    env = demo_environment(unused_tcp_port, GATEWAY_WEB_APP_DIR=str(missing))
    async with gateway_process(env, log, command="demo") as process, aiohttp.ClientSession() as http:
        await wait_until_ready(url, process, log, "the demo")
        async with http.get(f"{url}/app/") as resp:
            assert resp.status == 404
    line = banner_line(log, "Innboks")
    assert str(missing) in line and "npm ci && npm run build" in line and "./scripts/demo" in line, line


async def test_the_demo_serves_a_built_web_app_from_where_it_is_configured(
    unused_tcp_port: int, tmp_path: Path
) -> None:
    built = tmp_path / "dist"
    built.mkdir()
    (built / "index.html").write_text("<!doctype html><title>Innboks</title>")
    url, log = f"http://127.0.0.1:{unused_tcp_port}", tmp_path / "demo.log"
    env = demo_environment(unused_tcp_port, GATEWAY_WEB_APP_DIR=str(built))
    async with gateway_process(env, log, command="demo") as process, aiohttp.ClientSession() as http:
        await wait_until_ready(url, process, log, "the demo")
        async with http.get(f"{url}/app/") as resp:
            assert (resp.status, await resp.text()) == (200, "<!doctype html><title>Innboks</title>")
    assert banner_line(log, "Innboks").startswith(f"Innboks:   {url}/app/"), log_tail(log)
