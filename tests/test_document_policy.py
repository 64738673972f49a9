"""gateway/document_policy.py: which document each request runs, for the three policies: ad hoc with
APQ (no manifest), trusted documents only (production), trusted beside ad hoc (demo mode, GraphiQL on).
The same refusals through HTTP, with their status codes, are in tests/test_apq.py and
tests/test_trusted_documents.py."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.requests import Request
from strawberry.http import GraphQLRequestData

from gateway.apq import Refused
from gateway.core.config import Settings
from gateway.core.persisted_queries import MemoryPersistedQueries
from gateway.document_policy import DocumentPolicy
from gateway.schema import GatewaySchema, build_schema
from gateway.trusted_documents import TrustedDocument

ME = "query Me { viewer { id } }"
ME_SHA = hashlib.sha256(ME.encode()).hexdigest()
OTHER = "{ __typename }"
OTHER_SHA = hashlib.sha256(OTHER.encode()).hexdigest()
MANIFEST = {ME_SHA: TrustedDocument(ME_SHA, ME, "Me")}


@pytest.fixture(scope="module")
def schema() -> GatewaySchema:
    return build_schema(Settings(demo=True))


def policy(schema: GatewaySchema, trusted: dict[str, TrustedDocument] | None, ad_hoc: bool) -> DocumentPolicy:
    return DocumentPolicy(schema.documents, schema._schema, trusted, ad_hoc_allowed=ad_hoc)


def item(query: str | None = None, sha256: str | None = None) -> GraphQLRequestData:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256}} if sha256 else None
    return GraphQLRequestData(query=query, variables=None, operation_name=None, extensions=extensions)


async def resolved(policy: DocumentPolicy, data: GraphQLRequestData, document_id: str | None = None) -> str | None:
    """The document `data` runs under `policy` (a fresh APQ store), or the refusal's code."""
    try:
        await policy.resolve(data, document_id, MemoryPersistedQueries())
    except Refused as refused:
        return refused.code
    return data.query


async def test_without_a_manifest_a_text_runs_and_a_hash_goes_through_apq(schema: GatewaySchema) -> None:
    ad_hoc, store = policy(schema, None, ad_hoc=False), MemoryPersistedQueries()
    assert await resolved(ad_hoc, item(OTHER)) == OTHER
    assert await resolved(ad_hoc, item(sha256=OTHER_SHA)) == "PERSISTED_QUERY_NOT_FOUND"
    await ad_hoc.resolve(item(OTHER, OTHER_SHA), None, store)  # registered
    found = item(sha256=OTHER_SHA)
    await ad_hoc.resolve(found, None, store)
    assert found.query == OTHER
    assert await resolved(ad_hoc, item(OTHER, "0" * 64)) == "BAD_REQUEST"


# A request as (query, persisted-query hash, documentId).
Sent = tuple[str | None, str | None, str | None]


@pytest.mark.parametrize(
    ("sent", "runs"),
    [
        ((None, None, ME_SHA), ME),
        ((ME, None, ME_SHA), ME),
        ((None, ME_SHA, None), ME),
        ((ME, None, None), "PERSISTED_QUERY_ID_REQUIRED"),  # the very text of a listed document, but ad hoc
        ((None, None, "0" * 64), "PERSISTED_QUERY_NOT_IN_LIST"),
        ((None, OTHER_SHA, None), "PERSISTED_QUERY_NOT_IN_LIST"),
        ((OTHER, None, ME_SHA), "BAD_REQUEST"),
    ],
    ids=["by id", "by id with its text", "by hash", "text", "unknown id", "unknown hash", "id with another text"],
)
async def test_with_trusted_documents_only_a_request_names_one(schema: GatewaySchema, sent: Sent, runs: str) -> None:
    query, sha256, document_id = sent
    assert await resolved(policy(schema, MANIFEST, ad_hoc=False), item(query, sha256), document_id) == runs


@pytest.mark.parametrize(
    ("sent", "runs"),
    [
        ((OTHER, None, None), OTHER),
        ((None, ME_SHA, None), ME),
        ((None, None, ME_SHA), ME),
        ((None, OTHER_SHA, None), "PERSISTED_QUERY_NOT_FOUND"),  # not the manifest's: APQ's
        ((None, None, "0" * 64), "PERSISTED_QUERY_NOT_IN_LIST"),
    ],
    ids=["text", "the manifest's hash", "by id", "another hash", "unknown id"],
)
async def test_beside_trusted_documents_ad_hoc_ones_run_where_allowed(
    schema: GatewaySchema, sent: Sent, runs: str
) -> None:
    query, sha256, document_id = sent
    assert await resolved(policy(schema, MANIFEST, ad_hoc=True), item(query, sha256), document_id) == runs


async def test_a_manifests_prefixed_id_is_found_by_the_bare_hash(schema: GatewaySchema) -> None:
    prefixed = {f"sha256:{ME_SHA}": TrustedDocument(f"sha256:{ME_SHA}", ME, "Me")}
    assert await resolved(policy(schema, prefixed, ad_hoc=False), item(sha256=ME_SHA)) == ME


async def test_the_settings_choose_the_policy_and_a_manifest_needs_its_documents(
    schema: GatewaySchema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GATEWAY_DEMO", "GATEWAY_GRAPHIQL"):
        monkeypatch.delenv(name, raising=False)
    manifest = tmp_path / "persisted-documents.json"
    production = Settings(trusted_documents=manifest, jwks_url="http://127.0.0.1:9/j")
    with pytest.raises(ValueError, match="GATEWAY_TRUSTED_DOCUMENTS"):
        DocumentPolicy.of(production, schema, None)
    by_settings = {
        "production": production,
        "GraphiQL on": Settings(trusted_documents=manifest, jwks_url="http://127.0.0.1:9/j", graphiql=True),
        "demo": Settings(demo=True, trusted_documents=manifest),
    }
    runs = {
        name: await resolved(DocumentPolicy.of(s, schema, MANIFEST), item(OTHER)) for name, s in by_settings.items()
    }
    assert runs == {
        "production": "PERSISTED_QUERY_ID_REQUIRED",
        "GraphiQL on": OTHER,
        "demo": OTHER,
    }


def request(method: str, body: Any = None, query_string: bytes = b"") -> Request:
    sent = orjson.dumps(body)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": sent, "more_body": False}

    scope = {"type": "http", "method": method, "path": "/graphql", "query_string": query_string, "headers": []}
    return Request(scope, receive)


async def test_document_ids_come_from_the_body_or_the_query_string_and_only_with_a_manifest(
    schema: GatewaySchema,
) -> None:
    trusted = policy(schema, MANIFEST, ad_hoc=False)
    assert await trusted.document_ids(request("POST", {"documentId": ME_SHA}), 1) == [ME_SHA]
    batch = [{"documentId": ME_SHA}, {"documentId": 7}, "x"]
    assert await trusted.document_ids(request("POST", batch), 3) == [ME_SHA, None, None]
    assert await trusted.document_ids(request("GET", query_string=f"documentId={ME_SHA}".encode()), 1) == [ME_SHA]
    unread = Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"", "headers": []})
    assert await policy(schema, None, ad_hoc=False).document_ids(unread, 2) == [None, None]
