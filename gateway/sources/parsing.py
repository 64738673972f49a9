"""Turning upstream JSON into records; any shape error becomes the source's error. Codes become enum
members through core/enums.py (`enum_of`, `known_members`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from gateway.sources.errors import UpstreamUnavailable
from gateway.sources.records import AddressRecord

T = TypeVar("T")


@contextmanager
def contract(source: str) -> Iterator[None]:
    """Report a body that breaks the upstream contract as the source being unavailable."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UpstreamUnavailable(source, f"malformed response ({type(exc).__name__}: {exc})") from exc


def parse_all(source: str, rows: Any, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    with contract(source):
        if not isinstance(rows, list):
            raise TypeError("expected a list")
        return [parse(row) for row in rows]


def datetime_of(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        # A timestamp without an offset is ambiguous; upstreams of this portal mean UTC.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def optional_datetime(value: str | None) -> dt.datetime | None:
    return datetime_of(value) if value else None


def date_of(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def address_of(row: dict[str, Any] | None) -> AddressRecord | None:
    if not row:
        return None
    return AddressRecord(
        street=row["street"],
        postal_code=row["postalCode"],
        city=row["city"],
        municipality=row.get("municipality"),
        municipality_number=row.get("municipalityNumber"),
        country=row.get("country") or "NO",
    )


def comma_list(values: Iterable[str]) -> str:
    return ",".join(values)
