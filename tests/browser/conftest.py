"""What the browser tests share: Node, its packages and Debian's Chromium, checked before a gateway starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import require_node_modules, require_tool

ROOT = Path(__file__).resolve().parents[2]


def _require_playwright_core() -> None:
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        if os.environ.get("CI"):
            pytest.fail("node_modules/playwright-core is missing in CI: .ci/run must run `npm ci`")
        pytest.skip("playwright-core is not installed: run `npm ci` in the repository")


@pytest.fixture
def tools() -> tuple[str, str]:
    """node and chromium, checked before the `gateway` fixture starts anything."""
    chromium = require_tool("chromium", "apt-get install chromium")
    node = require_node_modules()
    _require_playwright_core()
    return node, chromium
