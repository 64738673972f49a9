"""A second subgraph, as another team would run it: a person's preferred language, nothing else.

It extends our `Person` entity with `preferredLanguage`, and offers root fields that return
references (`Person`, `HealthContact`, `Appointment` by id) so the Apollo gateway must fetch
everything else about them from our subgraph's `_entities`: the realistic path by which a
federated client reaches our data. It has no auth of its own and answers only for the ids it is
asked about; it knows no names, addresses or messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Key

from gateway.serving import serving
from sandbox.seed import ERIK, INGRID, OLA

DEFAULT_LANGUAGE = "nb"
LANGUAGES = {OLA: "nn", INGRID: "nn", ERIK: "en"}


def language_of(person_id: str) -> str:
    return LANGUAGES.get(person_id, DEFAULT_LANGUAGE)


# No descriptions on the shared entities: the owning subgraph describes them.
@strawberry.federation.type(keys=["id"])
class Person:
    id: strawberry.ID

    @strawberry.field(description="Målform or language for letters and the portal: nb, nn or en.")
    def preferred_language(self) -> str:
        return language_of(str(self.id))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Person:
        return cls(id=id)


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class HealthContact:
    id: strawberry.ID


@strawberry.federation.type(keys=[Key(fields="id", resolvable=False)])
class Appointment:
    id: strawberry.ID


@strawberry.type
class Query:
    @strawberry.field(description="The persons with these ids, with their preferred language.")
    def people_with_language(self, ids: list[strawberry.ID]) -> list[Person | None]:
        return [Person(id=i) for i in ids]

    @strawberry.field(description="References to these health contacts (resolved by the subgraph that owns them).")
    def contacts_by_id(self, ids: list[strawberry.ID]) -> list[HealthContact | None]:
        return [HealthContact(id=i) for i in ids]

    @strawberry.field(description="References to these appointments (resolved by the subgraph that owns them).")
    def appointments_by_id(self, ids: list[strawberry.ID]) -> list[Appointment | None]:
        return [Appointment(id=i) for i in ids]


schema = strawberry.federation.Schema(query=Query, types=[HealthContact, Appointment], federation_version="2.11")


def build_app() -> Starlette:
    return Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["GET", "POST"])])


@asynccontextmanager
async def serving_preferences() -> AsyncIterator[str]:
    """The preferences subgraph on an ephemeral loopback port; yields its GraphQL URL."""
    async with serving(build_app()) as base_url:
        yield f"{base_url}/graphql"
