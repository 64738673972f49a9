"""The layers' arrows point one way: what the settings and the sources import."""

from __future__ import annotations

import subprocess
import sys

from gateway.core.upstreams import SOURCES
from gateway.sources import CLIENTS


def test_loading_the_settings_imports_no_source_client() -> None:
    probe = "import sys, gateway.core.config; print(sorted(m for m in sys.modules if m.startswith('gateway.sources')))"
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert imported.strip() == "[]"


def test_every_source_has_a_client_and_every_client_a_source() -> None:
    assert list(CLIENTS) == [source.name for source in SOURCES]
