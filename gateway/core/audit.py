"""The access log ("Logg over bruk", docs/access-rules.md#the-access-log): who read or wrote whose data, when, and how.

One entry per (request, subject) for every subject other than the viewer. The log is in memory by
default and a Redis stream per subject when REDIS_URL is set, so every replica writes to one log
(core/on_redis/audit.py).
A write that fails fails the request (see schema.extensions.AuditTrail): no unaudited access.

An entry is stored as JSON of plain strings, as it always was; the record holds members (`AuditBasis`,
`Service`), read once where the entry comes back (`AuditEntry.from_json`). A basis or service stored
by a gateway that knew more (a newer replica) is shown as UNKNOWN, or left out, with a warning: the
entry still reads, and so does the rest of the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import orjson

from gateway.core.enums import enum_of, known_members
from gateway.policy.vocabulary import Service

# What a warning about a stored entry names as its source.
SOURCE = "access log"


class AuditBasis(StrEnum):
    """On what basis the actor read: a representation basis (`policy.vocabulary.Basis`, but SELF, which is
    never logged) or SERVICE (a service client, acting for no one). A str, as the wire and the schema's
    `basis: String` have it; UNKNOWN stands for a basis this gateway does not know."""

    PARENT = "PARENT"
    PROXY = "PROXY"
    ASSIGNED_PROXY = "ASSIGNED_PROXY"
    SERVICE = "SERVICE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: dt.datetime
    actor_id: str
    actor_name: str | None
    subject_id: str
    basis: AuditBasis
    services: tuple[Service, ...]
    operation: str | None
    id: str = ""  # assigned by the log

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "at": self.at.isoformat(),
                "actorId": self.actor_id,
                "actorName": self.actor_name,
                "subjectId": self.subject_id,
                "basis": self.basis.value,
                "services": [service.value for service in self.services],
                "operation": self.operation,
            }
        )

    @classmethod
    def from_json(cls, entry_id: str, raw: bytes | str) -> AuditEntry:
        row = orjson.loads(raw)
        stored = row.get("services") or ()
        known = {service.value: service for service in known_members(SOURCE, Service, stored)}
        return cls(
            at=dt.datetime.fromisoformat(row["at"]),
            actor_id=row["actorId"],
            actor_name=row.get("actorName"),
            subject_id=row["subjectId"],
            basis=enum_of(SOURCE, AuditBasis, row["basis"], AuditBasis.UNKNOWN),
            services=tuple(known[value] for value in stored if value in known),  # in the stored order
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
