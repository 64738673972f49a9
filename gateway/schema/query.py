"""Root query fields about persons."""

from __future__ import annotations

import strawberry

from gateway.context import Info
from gateway.resolvers import subjects
from gateway.schema.person import Person


@strawberry.type
class PersonQuery:
    @strawberry.field(description="A person the viewer may act for (self included), by fødselsnummer or D-number.")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        return Person.of(await subjects.resolve_subject(info.context, str(id)))
