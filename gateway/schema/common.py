"""Small shared types: names, addresses, periods, and Relay-style connections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Self, TypeVar, cast

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from gateway.request.context import Info
from gateway.resolvers.pagination import Page
from gateway.sources.records import AddressRecord

T = TypeVar("T")
R = TypeVar("R")


def node_fields(info: Info) -> set[str]:
    """The names of the fields selected on a connection's nodes (by `nodes` or `edges.node`),
    fragments included."""
    names: set[str] = set()

    def fields_of(selections: list[Selection]) -> list[SelectedField]:
        found: list[SelectedField] = []
        for selection in selections:
            if isinstance(selection, SelectedField):
                found.append(selection)
            else:  # a fragment: its fields are the field's own
                found += fields_of(selection.selections)
        return found

    for connection in info.selected_fields:  # converted once: it walks the whole selection
        for field in fields_of(connection.selections):
            if field.name == "nodes":
                names.update(f.name for f in fields_of(field.selections))
            elif field.name == "edges":
                for edge_field in fields_of(field.selections):
                    if edge_field.name == "node":
                        names.update(f.name for f in fields_of(edge_field.selections))
    return names


def later(awaitable: Awaitable[T]) -> T:
    """What a synchronous field returns when its data was not loaded with its parent: graphql-core
    awaits an awaitable a resolver returns. So such a field resolves at once whenever its data is at
    hand (no coroutine, no task per item) and still loads by itself on the other paths."""
    return cast(T, awaitable)


@strawberry.type(description="A postal address (bostedsadresse or an organisation's visiting address).")
class Address:
    street: str = strawberry.field(description="Street and house number.")
    postal_code: str = strawberry.field(description="Postnummer.")
    city: str = strawberry.field(description="Poststed.")
    municipality: str | None = strawberry.field(description="Kommune.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")

    @classmethod
    def from_record(cls, record: AddressRecord | None) -> Address | None:
        if record is None:
            return None
        return cls(
            street=record.street,
            postal_code=record.postal_code,
            city=record.city,
            municipality=record.municipality,
            country=record.country,
        )


@strawberry.type(description="A time span; `end` is null while it lasts.")
class Period:
    start: dt.datetime | None = strawberry.field(description="When it began, if known.")
    end: dt.datetime | None = strawberry.field(description="When it ended, if it has.")


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="One item of a page and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item; pass as `after`.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay cursor connection).")
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]
    to_node: strawberry.Private[Callable[[Any], T]]

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        page = self.page
        return [Edge(cursor=page.cursor(item), node=self.to_node(item)) for item in page.items]

    @strawberry.field(description="Paging information.")
    def page_info(self) -> PageInfo:
        return PageInfo(has_next_page=self.page.has_next_page, end_cursor=self.page.end_cursor)

    @strawberry.field(description="How many items the viewer may see in all pages.")
    def total_count(self) -> int:
        return self.page.total_count

    @strawberry.field(
        description="How many items exist but are withheld by the access rules (for example on behalf of a child)."
    )
    def hidden_count(self) -> int:
        return self.page.hidden_count

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [self.to_node(item) for item in self.page.items]

    @classmethod
    def of(cls, page: Page[R], to_node: Callable[[R], T]) -> Self:
        return cls(page=page, to_node=to_node)
