"""`python -m gateway` as a person runs it: misconfiguration ends in one line naming what to set, exit code 2."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.core.config import Settings
from gateway.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]


def run_gateway(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command in a fresh interpreter, with only the GATEWAY_ variables (and REDIS_URL) given here."""
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_") and name != "REDIS_URL"
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env={**inherited, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        # A command that wrongly starts serving is stopped here and fails the test.
        timeout=60,
    )


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command printed, after checking how it ended."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another server is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_serve_with_a_port_that_is_not_a_number_names_gateway_port() -> None:
    line = refusal(run_gateway("serve", GATEWAY_PORT="abc", GATEWAY_JWKS_URL="http://127.0.0.1:9/jwks.json"))
    assert line.startswith("GATEWAY_PORT: ") and "integer" in line and "'abc'" in line


def test_serve_without_a_jwks_url_names_gateway_jwks_url() -> None:
    line = refusal(run_gateway("serve", GATEWAY_PORT="0"))
    assert line.startswith("GATEWAY_JWKS_URL ")


def test_demo_on_a_port_in_use_names_gateway_port_before_its_banner(taken_port: int) -> None:
    result = run_gateway(GATEWAY_HOST="127.0.0.1", GATEWAY_PORT=str(taken_port))
    assert refusal(result) == f"port {taken_port} on 127.0.0.1 is in use; set GATEWAY_PORT to another port"
    assert "GraphiQL" not in result.stdout


def test_serve_on_a_port_in_use_names_gateway_port(taken_port: int) -> None:
    result = run_gateway(
        "serve", GATEWAY_HOST="127.0.0.1", GATEWAY_PORT=str(taken_port), GATEWAY_JWKS_URL="http://127.0.0.1:9/jwks.json"
    )
    assert refusal(result) == f"port {taken_port} on 127.0.0.1 is in use; set GATEWAY_PORT to another port"


def test_serve_with_workers_but_no_redis_url_names_redis_url(taken_port: int) -> None:
    # Each worker would keep its own access log and event bus; refused before the port is even tried.
    jwks = "http://127.0.0.1:9/jwks.json"
    by_flag = refusal(run_gateway("serve", "--workers", "2", GATEWAY_PORT=str(taken_port), GATEWAY_JWKS_URL=jwks))
    assert by_flag.startswith("--workers 2 needs REDIS_URL: "), by_flag
    by_variable = refusal(run_gateway("serve", GATEWAY_WORKERS="3", GATEWAY_PORT="0", GATEWAY_JWKS_URL=jwks))
    assert by_variable.startswith("GATEWAY_WORKERS=3 needs REDIS_URL: "), by_variable


def test_serve_with_fewer_than_one_worker_is_refused() -> None:
    jwks = "http://127.0.0.1:9/jwks.json"
    line = refusal(run_gateway("serve", "--workers", "0", GATEWAY_JWKS_URL=jwks))
    assert line == "--workers must be at least 1, got 0"
    line = refusal(run_gateway("serve", GATEWAY_WORKERS="0", GATEWAY_JWKS_URL=jwks))
    assert line.startswith("GATEWAY_WORKERS: ") and "'0'" in line


def test_serve_with_workers_in_demo_mode_is_refused() -> None:
    # Each worker would sign demo tokens with a key of its own, which the others reject.
    line = refusal(run_gateway("serve", "--workers", "2", GATEWAY_DEMO="true", REDIS_URL="redis://127.0.0.1:9/0"))
    assert line.startswith("--workers 2 cannot serve GATEWAY_DEMO=true: "), line


def test_serve_with_workers_on_a_port_in_use_names_gateway_port(taken_port: int) -> None:
    result = run_gateway(
        "serve",
        "--workers",
        "2",
        GATEWAY_HOST="127.0.0.1",
        GATEWAY_PORT=str(taken_port),
        GATEWAY_JWKS_URL="http://127.0.0.1:9/jwks.json",
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    assert refusal(result) == f"port {taken_port} on 127.0.0.1 is in use; set GATEWAY_PORT to another port"


def test_the_readme_documents_gateway_workers() -> None:
    assert re.search(r"^\| `GATEWAY_WORKERS` \| `1` \|", (ROOT / "README.md").read_text(), re.MULTILINE)


def test_serve_with_a_codings_file_that_names_no_service_kind_names_the_file(tmp_path: Path) -> None:
    codings = tmp_path / "codings.json"
    codings.write_text('{"serviceKind": {"http://terminology.hl7.org/CodeSystem/v3-RoleCode|PC": "PRIMARY_CARE"}}')
    line = refusal(
        run_gateway(
            "serve",
            GATEWAY_PORT="0",
            GATEWAY_JWKS_URL="http://127.0.0.1:9/jwks.json",
            GATEWAY_FHIR_CODINGS_FILE=str(codings),
        )
    )
    assert line.startswith(f"GATEWAY_FHIR_CODINGS_FILE {codings}: ") and "'PRIMARY_CARE'" in line and "GP" in line


def test_each_source_url_is_a_gateway_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)
    assert Settings.load().upstream_urls() == {source.name: source.default_url for source in SOURCES}
    for source in SOURCES:
        monkeypatch.setenv(f"GATEWAY_{source.name.upper()}_URL", f"http://upstream.test/{source.name}")
    assert Settings.load().upstream_urls() == {source.name: f"http://upstream.test/{source.name}" for source in SOURCES}


def test_the_readme_documents_each_source_url_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(GATEWAY_\w+_URL)` \| `([^`]+)` \|", (ROOT / "README.md").read_text(), re.MULTILINE))
    for source in SOURCES:
        assert rows.get(Settings.variable(source.setting)) == source.default_url, source.name


def test_the_readme_configuration_table_names_every_setting() -> None:
    """Each setting is a row of the README's table (the first cell may name several), so a new one is
    documented in the same change that adds it."""
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") :].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    documented = {
        name for cell in re.findall(r"^\| ([^|]+) \|", table, re.MULTILINE) for name in re.findall(r"`(\w+)`", cell)
    }
    missing = {Settings.variable(field) for field in Settings.model_fields} - documented
    assert not missing, f"the README's configuration table does not name {sorted(missing)}"
