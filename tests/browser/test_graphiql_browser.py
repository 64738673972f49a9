"""GraphiQL in a real browser: headless Chromium opens GET /graphql, runs the example query as two demo
personas and sees each one's data in the response pane (tests/browser/graphiql.mjs does the clicking).

Skipped on a laptop without Node, the Node packages or Chromium (the skip says what to install); never in CI.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from tests.support import GatewayClient, browser_script

SCRIPT = Path(__file__).with_name("graphiql.mjs")
TIMEOUT_S = 90  # the script gives up by itself after 55 s


async def _run_script(tools: tuple[str, str], url: str, screenshot: Path) -> tuple[int, str, str]:
    async with browser_script(tools, SCRIPT, url, str(screenshot)) as process:
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
        except TimeoutError:
            process.kill()
            stdout, stderr = await process.communicate()
            pytest.fail(f"graphiql.mjs ran over {TIMEOUT_S} s\nstdout: {stdout.decode()}\nstderr: {stderr.decode()}")
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_graphiql_runs_the_example_query_as_two_personas(
    tools: tuple[str, str], gateway: GatewayClient, tmp_path: Path
) -> None:
    screenshot = tmp_path / "graphiql.png"

    started = time.monotonic()
    code, stdout, stderr = await _run_script(tools, f"{gateway.url}/graphql", screenshot)
    elapsed = time.monotonic() - started
    report = f"exit {code} after {elapsed:.1f} s\nstdout: {stdout}\nstderr: {stderr}\nscreenshot: {screenshot}"
    lines = stdout.strip().splitlines()
    assert lines, report
    result = json.loads(lines[-1])
    print(f"graphiql.mjs: exit {code} after {elapsed:.1f} s: {lines[-1]}")

    assert code == 0 and result["ok"], report
    assert result["kari"]["name"] == "Kari Nordmann", report
    assert result["kari"]["onScreen"] and result["kari"]["threads"] > 0, report
    assert result["jonas"]["name"] == "Jonas Nordmann", report
    assert result["jonas"]["onScreen"], report
    assert result["kari"]["errors"] == [] and result["jonas"]["errors"] == [], report
    assert result["foreignRequests"] == [], report
    # The page's own stylesheet applied: the editor takes the window below the persona bar.
    layout = result["layout"]
    assert layout["bodyDisplay"] == "flex" and layout["editorHeight"] > layout["windowHeight"] * 0.8, report
    # The page names an empty icon, so the browser asks for no /favicon.ico: no console error at all.
    errors = result["consoleErrors"]
    assert errors == [], report
    assert screenshot.stat().st_size > 10_000, report
