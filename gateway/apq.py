"""Apollo's automatic persisted queries over GraphQL over HTTP (POST and GET).

`extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`:
- with no `query`: the registered document of that hash, or PERSISTED_QUERY_NOT_FOUND (the client
  then sends it again with its query);
- with a `query`: its SHA-256 must be the hash (else 400 BAD_REQUEST); a document that parses and
  validates is registered (core/persisted_queries.py), and the request runs as any other.
The message texts are Apollo Server's, which Apollo Client's and urql's links look for.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSchema
from strawberry.http import GraphQLRequestData

from gateway.core.persisted_queries import PersistedQueries
from gateway.schema.documents import DocumentCache

_SHA256 = re.compile(r"[0-9a-f]{64}")


class Refused(HTTPException):
    """A request refused before execution, with its error code."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


def _persisted_query(extensions: dict[str, Any] | None) -> dict[str, Any] | None:
    found = (extensions or {}).get("persistedQuery")
    if found is None:
        return None
    if not isinstance(found, dict):
        raise Refused(400, "extensions.persistedQuery must be an object.", "BAD_REQUEST")
    return found


async def resolve(
    data: GraphQLRequestData, store: PersistedQueries, documents: DocumentCache, schema: GraphQLSchema
) -> None:
    """Fill `data.query` from the store, or register it; raises Refused."""
    persisted = _persisted_query(data.extensions)
    if persisted is None:
        return
    if persisted.get("version") != 1:
        raise Refused(400, "Unsupported persisted query version", "BAD_REQUEST")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise Refused(400, "extensions.persistedQuery.sha256Hash must be 64 lower-case hex digits.", "BAD_REQUEST")
    if data.query is None:
        query = await store.get(sha256)
        if query is None:
            # 200 or 400 as for any request error (view.py); the clients' links look for this text.
            raise Refused(400, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        data.query = query
        return
    if hashlib.sha256(data.query.encode()).hexdigest() != sha256:
        raise Refused(400, "provided sha does not match query", "BAD_REQUEST")
    if _valid(data.query, documents, schema):
        await store.put(sha256, data.query)


def _valid(query: str, documents: DocumentCache, schema: GraphQLSchema) -> bool:
    # Only documents that could run are kept: a store is no place for anything a client sends.
    try:
        document = documents.parse(query)
    except GraphQLError:
        return False
    return not documents.validate(schema, query, document)
