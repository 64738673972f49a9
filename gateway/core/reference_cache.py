"""Reference data kept across requests: FHIR Practitioner, Organization and Location.

Who a GP is and where a clinic lies is the same for every person and every request; the portal's
FHIR servers say for how long (`Cache-Control: max-age`) and can tell whether a kept copy is still
current (`ETag`, `If-None-Match`, 304). Only these types are kept, and only when the server allows:
persons, consents, threads, messages, CareTeams and Appointments, personal data, never are. Kept in
Redis with REDIS_URL (shared by replicas: core/on_redis/reference_cache.py), else in each process
(the most recently used entries).
An entry past its max-age is kept a while longer for revalidation: a 304 makes it fresh again
without its body being sent.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

log = logging.getLogger(__name__)

# What may be kept: FHIR resource types that are reference data, not personal data.
REFERENCE_TYPES = frozenset({"Practitioner", "Organization", "Location"})
# How long a stale entry is kept for revalidation beyond its max-age.
KEPT_FOR_REVALIDATION_S = 24 * 3600

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)
_NOT_KEPT = re.compile(r"(?:^|,)\s*(?:no-store|no-cache|private)\b", re.IGNORECASE)


def max_age(headers: Mapping[str, str]) -> int | None:
    """Seconds a response may be kept by its `Cache-Control`, or None: not to be kept."""
    control = headers.get("Cache-Control", "")
    if not control or _NOT_KEPT.search(control):
        return None
    found = _MAX_AGE.search(control)
    return int(found[1]) if found and int(found[1]) > 0 else None


@dataclass(frozen=True, slots=True)
class Entry:
    resource: dict[str, Any]
    etag: str | None
    fresh_until: float  # time.time()

    @property
    def fresh(self) -> bool:
        return time.time() < self.fresh_until

    def to_json(self) -> bytes:
        return orjson.dumps({"resource": self.resource, "etag": self.etag, "freshUntil": self.fresh_until})

    @classmethod
    def from_json(cls, raw: bytes | str) -> Entry:
        row = orjson.loads(raw)
        return cls(row["resource"], row.get("etag"), float(row["freshUntil"]))


class ReferenceCache(Protocol):
    async def get_many(self, keys: Sequence[str]) -> dict[str, Entry]: ...

    async def put_many(self, entries: Mapping[str, Entry]) -> None: ...


class MemoryReferenceCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    async def get_many(self, keys: Sequence[str]) -> dict[str, Entry]:
        found = {}
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                found[key] = entry
        return found

    def clear(self) -> None:
        """Forget everything (a benchmark's cold start)."""
        self._entries.clear()

    async def put_many(self, entries: Mapping[str, Entry]) -> None:
        for key, entry in entries.items():
            self._entries[key] = entry
            self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
