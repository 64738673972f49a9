"""Root query fields about persons."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.request.context import Info
from gateway.schema.person import Person


@strawberry.type
class PersonQuery:
    @strawberry.field(description="A person the viewer may act for (self included), by fødselsnummer or D-number.")
    async def person(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="Fødselsnummer or D-number, 11 digits.")],
    ) -> Person | None:
        return Person.of(await info.context.decisions.subject(str(id)))
