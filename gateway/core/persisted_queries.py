"""Automatic persisted queries (Apollo's APQ): documents a client registered, by their SHA-256.

A client sends the hash of its document alone; the gateway answers PERSISTED_QUERY_NOT_FOUND until
the client has sent the document once with its hash. With REDIS_URL the documents are shared by the
replicas (core/on_redis/persisted_queries.py) and expire `ttl_s` after they were last registered;
otherwise each process keeps the most recently used `max_entries`. A document is not personal data
(variables are never stored). The store is an optimisation: when Redis fails, a lookup finds nothing
and a registration is skipped, so the client sends its document again and is served.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)

# A document longer than this is run but not kept: the store's memory is bounded per entry too.
MAX_DOCUMENT_BYTES = 64 * 1024


class PersistedQueries(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, document: str) -> None: ...


class MemoryPersistedQueries:
    def __init__(self, max_entries: int = 1000) -> None:
        self._max_entries = max_entries
        self._documents: OrderedDict[str, str] = OrderedDict()

    async def get(self, sha256: str) -> str | None:
        document = self._documents.get(sha256)
        if document is not None:
            self._documents.move_to_end(sha256)
        return document

    async def put(self, sha256: str, document: str) -> None:
        if len(document.encode()) > MAX_DOCUMENT_BYTES:
            return
        self._documents[sha256] = document
        self._documents.move_to_end(sha256)
        while len(self._documents) > self._max_entries:
            self._documents.popitem(last=False)
