"""The access log ("Logg over bruk", docs/access-rules.md#the-access-log): who read or wrote whose data, when, and how.

One entry per (request, subject) for every subject other than the viewer. The log is in memory by
default and a Redis stream per subject when REDIS_URL is set, so every replica writes to one log
(core/on_redis/audit.py).
A write that fails fails the request (see schema.extensions.AuditTrail): no unaudited access.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import orjson


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: dt.datetime
    actor_id: str
    actor_name: str | None
    subject_id: str
    basis: str  # SELF is never logged; PARENT, PROXY or SERVICE
    services: tuple[str, ...]
    operation: str | None
    id: str = ""  # assigned by the log

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "at": self.at.isoformat(),
                "actorId": self.actor_id,
                "actorName": self.actor_name,
                "subjectId": self.subject_id,
                "basis": self.basis,
                "services": list(self.services),
                "operation": self.operation,
            }
        )

    @classmethod
    def from_json(cls, entry_id: str, raw: bytes | str) -> AuditEntry:
        row = orjson.loads(raw)
        return cls(
            at=dt.datetime.fromisoformat(row["at"]),
            actor_id=row["actorId"],
            actor_name=row.get("actorName"),
            subject_id=row["subjectId"],
            basis=row["basis"],
            services=tuple(row.get("services") or ()),
            operation=row.get("operation"),
            id=entry_id,
        )


class AuditLog(Protocol):
    async def append(self, entries: Sequence[AuditEntry]) -> None:
        """Store every entry, or raise: a caller must not show data whose access was not logged."""

    async def entries_for(self, subject_id: str) -> list[AuditEntry]:
        """Every entry about `subject_id`, newest first."""


class MemoryAuditLog:
    """The default: one process, lost on restart. Fine for the demo and tests, not for production."""

    def __init__(self) -> None:
        self._entries: dict[str, list[AuditEntry]] = defaultdict(list)
        self._sequence = 0

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        for entry in entries:
            self._sequence += 1
            stamped = dataclasses.replace(entry, id=f"{self._sequence:012d}")
            self._entries[entry.subject_id].append(stamped)

    async def entries_for(self, subject_id: str) -> list[AuditEntry]:
        return list(reversed(self._entries.get(subject_id, [])))
