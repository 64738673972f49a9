"""Trusted documents: a manifest in either format, the start that refuses a bad one, the requests
that name a listed document (and the ad-hoc ones refused), and the check-documents command."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.app import build_app
from gateway.core.auth import DemoIssuer
from gateway.serving import serving
from gateway.trusted_documents import ManifestError, load
from sandbox import Sandbox
from sandbox.seed import KARI
from tests.support import GatewayClient, gateway_for, settings_for
from tests.test_cli import refusal, run_gateway

ME = "query Me { viewer { person { name { full } } } }"
ME_SHA = hashlib.sha256(ME.encode()).hexdigest()
DATA = {"viewer": {"person": {"name": {"full": "Kari Nordmann"}}}}
ISSUER = "https://issuer.test"


def apollo_manifest(*operations: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": i, "name": name, "type": "query", "body": body} for i, name, body in operations],
    }


def test_both_manifest_formats_are_read(tmp_path: Path) -> None:
    codegen = tmp_path / "persisted-documents.json"
    codegen.write_text(json.dumps({ME_SHA: ME}))
    apollo = tmp_path / "manifest.json"
    apollo.write_text(json.dumps(apollo_manifest(("me-1", "Me", ME))))
    assert {i: (d.body, d.name) for i, d in load(codegen).items()} == {ME_SHA: (ME, None)}
    assert {i: (d.body, d.name) for i, d in load(apollo).items()} == {"me-1": (ME, "Me")}


@pytest.mark.parametrize("content", ["[]", '{"a": 1}', "not json", '{"format": "apollo-persisted-query-manifest"}'])
def test_a_file_in_neither_format_is_refused_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ManifestError, match="GATEWAY_TRUSTED_DOCUMENTS"):
        load(path)


def test_a_document_that_does_not_validate_stops_the_start_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(apollo_manifest(("me-1", "Me", ME), ("bad-1", "Bad", "query Bad { viewer { x } }"))))
    line = refusal(
        run_gateway(
            "serve", GATEWAY_PORT="0", GATEWAY_JWKS_URL="http://127.0.0.1:9/j", GATEWAY_TRUSTED_DOCUMENTS=str(path)
        )
    )
    assert line.startswith(f"GATEWAY_TRUSTED_DOCUMENTS {path}: trusted document bad-1 (Bad): ")
    assert "'x'" in line


def test_check_documents_prints_each_cost_and_fails_on_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(apollo_manifest(("me-1", "Me", ME))))
    good = run_gateway("check-documents", str(path))
    assert good.returncode == 0, good.stderr
    assert "me-1" in good.stdout and "Me" in good.stdout and " 3  ok" in good.stdout
    path.write_text(json.dumps(apollo_manifest(("me-1", "Me", ME), ("bad-1", "Bad", "{ viewer { x } }"))))
    bad = run_gateway("check-documents", str(path))
    assert bad.returncode == 1 and "bad-1" in bad.stdout and "1 that would not be trusted" in bad.stdout


@contextlib.asynccontextmanager
async def production_gateway(
    sandbox: Sandbox, aiohttp_server: Any, **overrides: Any
) -> AsyncIterator[tuple[GatewayClient, str]]:
    """A production-mode gateway (no demo: tokens from an issuer's key set) with `overrides`, and Kari's token."""
    issuer = DemoIssuer(ISSUER, "health-gateway")

    async def keys(_request: web.Request) -> web.Response:
        return web.json_response(issuer.jwks())

    jwks = web.Application()
    jwks.router.add_get("/jwks.json", keys)
    server = await aiohttp_server(jwks)
    settings = settings_for(
        sandbox, demo=False, jwks_url=str(server.make_url("/jwks.json")), issuer=ISSUER, **overrides
    )
    async with serving(build_app(settings)) as url, aiohttp.ClientSession() as http:
        yield GatewayClient(url, http), issuer.person_token(KARI)


def manifest_of_me(directory: Path) -> Path:
    manifest = directory / "persisted-documents.json"
    manifest.write_text(json.dumps({ME_SHA: ME}))
    return manifest


@pytest.fixture
async def trusted(sandbox: Sandbox, tmp_path: Path, aiohttp_server: Any) -> AsyncIterator[tuple[GatewayClient, str]]:
    """A production-mode gateway that runs only the manifest's documents; GraphiQL is off by default then."""
    async with production_gateway(sandbox, aiohttp_server, trusted_documents=manifest_of_me(tmp_path)) as gateway:
        yield gateway


async def ask(client: GatewayClient, token: str, body: dict[str, Any], method: str = "POST") -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/graphql-response+json"}
    if method == "GET":
        sent = client.http.get(f"{client.url}/graphql", params=body, headers=headers)
    else:
        sent = client.http.post(f"{client.url}/graphql", json=body, headers=headers)
    async with sent as resp:
        return resp.status, await resp.json(content_type=None)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_a_listed_document_runs_by_its_id(trusted: tuple[GatewayClient, str]) -> None:
    client, token = trusted
    assert await ask(client, token, {"documentId": ME_SHA}) == (200, {"data": DATA})
    assert await ask(client, token, {"documentId": ME_SHA}, method="GET") == (200, {"data": DATA})
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": ME_SHA}}}
    assert await ask(client, token, by_hash) == (200, {"data": DATA})


async def test_an_ad_hoc_document_or_an_unknown_id_is_refused(trusted: tuple[GatewayClient, str]) -> None:
    client, token = trusted
    status, body = await ask(client, token, {"query": ME})  # the very text of a listed document, but ad hoc
    assert (status, codes(body)) == (400, ["PERSISTED_QUERY_ID_REQUIRED"])
    status, body = await ask(client, token, {"documentId": "0" * 64})
    assert (status, codes(body)) == (400, ["PERSISTED_QUERY_NOT_IN_LIST"])
    status, body = await ask(client, token, {"documentId": ME_SHA, "query": "{ __typename }"})
    assert (status, codes(body)) == (400, ["BAD_REQUEST"])


@pytest.mark.parametrize(
    ("with_manifest", "graphiql", "served"),
    [(False, None, True), (True, None, False), (True, "true", True), (False, "false", False)],
    ids=["no manifest: on", "a manifest: off", "a manifest, GATEWAY_GRAPHIQL=true: on", "GATEWAY_GRAPHIQL=false: off"],
)
async def test_graphiql_is_on_by_default_except_with_trusted_documents(
    sandbox: Sandbox,
    tmp_path: Path,
    aiohttp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    with_manifest: bool,
    graphiql: str | None,
    served: bool,
) -> None:
    """GraphiQL lets ad-hoc documents run: with trusted documents only an explicit setting turns it on."""
    if graphiql is None:
        monkeypatch.delenv("GATEWAY_GRAPHIQL", raising=False)
    else:
        monkeypatch.setenv("GATEWAY_GRAPHIQL", graphiql)
    manifest = {"trusted_documents": manifest_of_me(tmp_path)} if with_manifest else {}
    async with production_gateway(sandbox, aiohttp_server, **manifest) as (client, token):
        async with client.http.get(f"{client.url}/graphql", headers={"Accept": "text/html"}) as resp:
            assert (resp.content_type == "text/html") is served, (resp.status, await resp.text())
        status, body = await ask(client, token, {"query": ME})
    if with_manifest and not served:
        assert (status, codes(body)) == (400, ["PERSISTED_QUERY_ID_REQUIRED"])
    else:
        assert (status, body) == (200, {"data": DATA})


async def test_in_demo_mode_ad_hoc_documents_still_run_beside_the_trusted_ones(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    manifest = tmp_path / "persisted-documents.json"
    manifest.write_text(json.dumps({ME_SHA: ME}))
    async with gateway_for(sandbox, trusted_documents=manifest) as client:
        token = await client.token(KARI)
        assert await ask(client, token, {"query": "{ viewer { id } }"}) == (200, {"data": {"viewer": {"id": KARI}}})
        assert await ask(client, token, {"documentId": ME_SHA}) == (200, {"data": DATA})
        # A persisted-query hash the manifest does not have is APQ's there: unknown, then registered.
        other = "{ viewer { id } }"
        apq = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(other.encode()).hexdigest()}}
        status, body = await ask(client, token, {"extensions": apq})
        assert (status, codes(body)) == (400, ["PERSISTED_QUERY_NOT_FOUND"])
        mine_only = (200, {"data": {"viewer": {"id": KARI}}})
        assert await ask(client, token, {"query": other, "extensions": apq}) == mine_only
        assert await ask(client, token, {"extensions": apq}) == mine_only
        # The manifest's own hash still names its document.
        mine = {"persistedQuery": {"version": 1, "sha256Hash": ME_SHA}}
        assert await ask(client, token, {"extensions": mine}) == (200, {"data": DATA})


def test_the_demo_trusts_the_built_web_apps_documents(sandbox: Sandbox) -> None:
    """The app sends only the hashes of its operations; the demo gateway knows them from the build."""
    from gateway.app import WEB_APP_DOCUMENTS, start_checks, web_app_dir

    settings = settings_for(sandbox)
    manifest = web_app_dir(settings) / WEB_APP_DOCUMENTS
    if not manifest.is_file():
        pytest.skip("the web app is not built: run ./scripts/demo once, or `npm ci && npm run build` in web/")
    checked = start_checks(settings)
    assert checked.trusted is not None
    assert set(checked.trusted) == set(json.loads(manifest.read_text()))
    assert start_checks(settings_for(sandbox, demo=False, jwks_url="http://127.0.0.1:9/j")).trusted is None
