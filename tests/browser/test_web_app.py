"""The reference Innboks web app (web/) in a real browser, through the real gateway and sandbox:
tests/browser/web_app.mjs signs in as demo personas at /app/ and reports what the page shows.

Skipped on a laptop without Node, its packages, Chromium or a built app (the skip says what to run);
never in CI, where .ci/run builds the app.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from gateway.app import WEB_APP
from sandbox import Sandbox
from sandbox.inbox import STORE
from tests.support import GatewayClient

SCRIPT = Path(__file__).with_name("web_app.mjs")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def built() -> None:
    if not (WEB_APP / "index.html").is_file():
        if os.environ.get("CI"):
            pytest.fail("web/dist is missing in CI: .ci/run must build the web app")
        pytest.skip("the web app is not built: run ./scripts/demo once, or `npm ci && npm run build` in web/")


async def test_kari_pages_reads_and_replies_once_acts_for_emma_and_emma_is_refused(
    tools: tuple[str, str], built: None, gateway: GatewayClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    node, chromium = tools
    screenshot = tmp_path / "web-app.png"
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        gateway.url,
        str(screenshot),
        cwd=ROOT,
        env={**os.environ, "CHROMIUM": chromium},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    report = f"exit {process.returncode}\nstdout: {stdout.decode()}\nstderr: {stderr.decode()}"
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    assert process.returncode == 0 and result["ok"], report
    assert result["kariActingFor"] == "Du er logget inn som Kari Nordmann", report
    assert result["kariCount"] == "64 meldingstråder" and result["kariThreads"] == 64, report
    assert result["kariPages"] == 4, report  # 20 a page
    assert result["axeViolations"] == [], report
    assert result["openedMessages"] >= 1 and result["openedThreadRead"], report
    assert "Prøv igjen" in result["replyLost"] and result["replySent"] == "Svaret er sendt.", report
    stored = [m for m in sandbox.apps["inbox"][STORE].messages.values() if m.body == result["replyBody"]]
    assert len(stored) == 1, report  # sent twice, stored once
    assert result["emmaActingFor"] == "Du representerer Emma (7 år)", report
    assert "Ikke alle meldinger vil være tilgjengelige" in result["emmaNotice"], report
    assert result["jonasContactKinds"] and set(result["jonasContactKinds"]) <= {"GP", "MUNICIPAL"}, report
    assert result["jonasAppointmentKinds"] and set(result["jonasAppointmentKinds"]) <= {"GP", "MUNICIPAL"}, report
    assert result["emmaSignIn"] == "Barnets alder gjør at denne tjenesten ikke er tilgjengelig for deg.", report
    assert result["consoleErrors"] == [], report
    assert screenshot.stat().st_size > 5_000, report
