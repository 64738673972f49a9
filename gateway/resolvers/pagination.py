"""Cursor pagination over lists already filtered by policy.

A cursor names the last item's sort key, not its position, so pages stay right when items are
added, archived or withheld between requests. Cursors are opaque to clients (base64url JSON).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import orjson

from gateway.core.errors import BadUserInput

T = TypeVar("T")
SortKey = tuple[str, ...]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list. Cursors are made only when asked for: most pages are read without them."""

    kind: str
    items: Sequence[T]
    key: Callable[[T], SortKey]
    has_next_page: bool
    total_count: int
    hidden_count: int

    def with_items(self, items: Sequence[T]) -> Page[T]:
        """The same page with its items as loaded for the query (one new page, not one per item)."""
        return Page(self.kind, items, self.key, self.has_next_page, self.total_count, self.hidden_count)

    def cursor(self, item: T) -> str:
        return encode_cursor(self.kind, self.key(item))

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.items[-1]) if self.items else None


def instant_key(at: dt.datetime) -> str:
    """A timestamp as a string that sorts as the instants do (UTC, fixed width)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_cursor(kind: str, key: SortKey) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([kind, *key])).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> SortKey:
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise BadUserInput("`after` is not a cursor from this API.", "after") from exc
    if not (
        isinstance(decoded, list)
        and len(decoded) >= 2
        and decoded[0] == kind
        and all(isinstance(part, str) for part in decoded)
    ):
        raise BadUserInput(f"`after` is not a cursor of a {kind} list.", "after")
    return tuple(decoded[1:])


def check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", "first")
    return first


def paginate(
    kind: str,
    items: Sequence[T],
    *,
    key: Callable[[T], SortKey],
    descending: bool,
    first: int | None,
    after: str | None,
    hidden_count: int = 0,
) -> Page[T]:
    """One page of `items` (already in order by `key`) after the cursor `after`."""
    size = check_first(first)
    start = 0
    if after is not None:
        bound = decode_cursor(kind, after)
        start = len(items)
        for index, item in enumerate(items):
            k = key(item)
            if (k < bound) if descending else (k > bound):
                start = index
                break
    return Page(
        kind=kind,
        items=items[start : start + size],
        key=key,
        has_next_page=start + size < len(items),
        total_count=len(items),
        hidden_count=hidden_count,
    )
