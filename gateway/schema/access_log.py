"""AccessLogEntry: one line of the person's "Logg over bruk"."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway.core.audit import AuditEntry
from gateway.schema.common import Connection
from gateway.schema.enums import ACTING_FOR_OTHERS, ServiceName

# Someone else's access (a person's own reads are not logged): a representative's, or a service client's.
BASES = f"{ACTING_FOR_OTHERS} (a RepresentationBasis), or SERVICE (another system)"


@strawberry.type(
    description="One access to the person's data by someone else (a parent, a fullmakt holder or a service)."
)
class AccessLogEntry:
    entry: strawberry.Private[AuditEntry]

    @strawberry.field(description="Stable id of the entry.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.entry.id)

    @strawberry.field(description="When the access happened.")
    def at(self) -> dt.datetime:
        return self.entry.at

    @strawberry.field(description="Who accessed: a fødselsnummer, or a service's client id.")
    def actor_id(self) -> str:
        return self.entry.actor_id

    @strawberry.field(description="The actor's name as registered when the access happened.")
    def actor_name(self) -> str | None:
        return self.entry.actor_name

    @strawberry.field(description=f"On what basis: {BASES}.")
    def basis(self) -> str:
        return self.entry.basis

    @strawberry.field(description="The portal services whose data was read or written.")
    def services(self) -> list[ServiceName]:
        return list(self.entry.services)

    @strawberry.field(description="The GraphQL operation name the client gave, if any.")
    def operation_name(self) -> str | None:
        return self.entry.operation


@strawberry.type(name="AccessLogConnection", description="A page of the access log (Relay cursor connection).")
class AccessLogConnection(Connection[AccessLogEntry]):
    pass
