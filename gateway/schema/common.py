"""Small shared types: names, addresses, periods, and Relay-style connections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

import strawberry

from gateway.resolvers.pagination import Page
from gateway.sources.records import AddressRecord

T = TypeVar("T")
R = TypeVar("R")


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
    page: strawberry.Private[Page[Any]]
    item: strawberry.Private[Any]
    to_node: strawberry.Private[Callable[[Any], T]]

    @strawberry.field(description="Opaque position of this item; pass as `after`.")
    def cursor(self) -> str:
        # Made only when asked for: most pages are read without their cursors.
        return self.page.cursor(self.item)

    @strawberry.field(description="The item.")
    def node(self) -> T:
        return self.to_node(self.item)


@strawberry.type(description="A page of items (Relay cursor connection).")
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]
    to_node: strawberry.Private[Callable[[Any], T]]

    @strawberry.field(description="The items of this page with their cursors.")
    def edges(self) -> list[Edge[T]]:
        page = self.page
        return [Edge(page=page, item=item, to_node=self.to_node) for item in page.items]

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
