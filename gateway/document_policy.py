"""Which documents a request may run, and where its text comes from: the document policy.

- With trusted documents (GATEWAY_TRUSTED_DOCUMENTS, gateway/trusted_documents.py) a request names
  one of the manifest's documents by id, as `documentId` or `extensions.persistedQuery.sha256Hash`,
  and runs its text. A document sent as text alone is refused (PERSISTED_QUERY_ID_REQUIRED), an
  unknown id is PERSISTED_QUERY_NOT_IN_LIST, and a text beside an id must be that document's.
- Ad-hoc documents are allowed without a manifest, and beside one in demo mode or with GraphiQL on
  (GATEWAY_DEMO, GATEWAY_GRAPHIQL). They go through automatic persisted queries (gateway/apq.py):
  a hash alone is looked up, a text with a hash is registered; a hash the manifest does not have is
  APQ's then.

Every refusal is an `apq.Refused`, with its code, which the view answers as any refusal.
"""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from graphql import GraphQLSchema
from starlette.requests import Request
from strawberry.http import GraphQLRequestData

from gateway import apq, trusted_documents
from gateway.core.config import Settings
from gateway.core.persisted_queries import PersistedQueries
from gateway.schema import GatewaySchema
from gateway.schema.documents import DocumentCache
from gateway.trusted_documents import TrustedDocument


class DocumentPolicy:
    """Puts in each request the document it may run, from the manifest or the persisted queries, or refuses it."""

    def __init__(
        self,
        documents: DocumentCache,
        schema: GraphQLSchema,
        trusted: Mapping[str, TrustedDocument] | None,
        *,
        ad_hoc_allowed: bool,
    ) -> None:
        """`trusted`: the manifest's documents, or None for none; `ad_hoc_allowed`: whether a document
        sent as text runs beside them (it always does without them)."""
        self._documents = documents
        self._schema = schema
        self._trusted = trusted
        self._ad_hoc_allowed = ad_hoc_allowed or trusted is None

    @classmethod
    def of(
        cls, settings: Settings, schema: GatewaySchema, trusted: Mapping[str, TrustedDocument] | None
    ) -> DocumentPolicy:
        """The policy `settings` ask for, over `schema`; `trusted`: the documents app.start_checks loaded,
        checked against `schema`, which GATEWAY_TRUSTED_DOCUMENTS requires."""
        if settings.trusted_documents and trusted is None:
            # Never an app that runs ad-hoc documents where only trusted ones were configured.
            raise ValueError("GATEWAY_TRUSTED_DOCUMENTS is set: pass the documents app.start_checks loaded")
        return cls(schema.documents, schema._schema, trusted, ad_hoc_allowed=bool(settings.demo or settings.graphiql))

    async def document_ids(self, request: Request, count: int) -> list[str | None]:
        """`documentId` of each of the request's `count` operations (GraphQL-over-HTTP persisted
        documents); all None without a manifest, where it means nothing."""
        if self._trusted is None:
            return [None] * count
        if request.method == "GET":
            return [request.query_params.get("documentId")] * count
        # Strawberry 0.341 quirk: it reads only `query`, `variables`, `operationName` and `extensions` into
        # GraphQLRequestData, so `documentId` is read from the body again (Starlette keeps the body read).
        body = orjson.loads(await request.body())
        items = body if isinstance(body, list) else [body]
        found = [item.get("documentId") if isinstance(item, dict) else None for item in items]
        return [value if isinstance(value, str) else None for value in found]

    async def resolve(self, item: GraphQLRequestData, document_id: str | None, store: PersistedQueries) -> None:
        """Put in `item.query` the document the request runs, registering it in `store` when APQ asks;
        raises apq.Refused."""
        if self._trusted is None or not self._trusted_document(item, document_id, self._trusted):
            await apq.resolve(item, store, self._documents, self._schema)

    def _trusted_document(
        self, item: GraphQLRequestData, document_id: str | None, trusted: Mapping[str, TrustedDocument]
    ) -> bool:
        """Put the named trusted document in `item`: True; False for an ad-hoc document where those are
        allowed, which then runs as any other (a persisted-query hash not in the manifest is APQ's)."""
        persisted = (item.extensions or {}).get("persistedQuery")
        if document_id is None and isinstance(persisted, dict) and isinstance(persisted.get("sha256Hash"), str):
            if self._ad_hoc_allowed and trusted_documents.find(trusted, persisted["sha256Hash"]) is None:
                return False
            document_id = persisted["sha256Hash"]
        if document_id is None:
            if self._ad_hoc_allowed:
                return False
            raise apq.Refused(
                400,
                "This gateway runs only its trusted documents: name one with documentId.",
                "PERSISTED_QUERY_ID_REQUIRED",
            )
        document = trusted_documents.find(trusted, document_id)
        if document is None:
            raise apq.Refused(400, "No trusted document has this id.", "PERSISTED_QUERY_NOT_IN_LIST")
        if item.query is not None and item.query != document.body:
            raise apq.Refused(400, "The query sent is not the trusted document of this id.", "BAD_REQUEST")
        item.query = document.body
        return True
