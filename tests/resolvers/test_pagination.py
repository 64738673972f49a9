"""gateway/resolvers/pagination.py: opaque cursors that name a sort key, `first` bounds, and `paginate`."""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass

import orjson
import pytest

from gateway.core.errors import BadUserInput
from gateway.policy.clock import OSLO
from gateway.resolvers.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Page,
    SortKey,
    check_first,
    decode_cursor,
    encode_cursor,
    instant_key,
    paginate,
)


@dataclass(frozen=True)
class Row:
    id: str
    at: dt.datetime


def key(row: Row) -> SortKey:
    return (instant_key(row.at), row.id)


START = dt.datetime(2026, 1, 1, 8, 0, tzinfo=OSLO)


def rows(n: int, *, hours: int = 0) -> list[Row]:
    """`n` rows one day apart (plus `hours`), oldest first, ids r00, r01, ..."""
    return [Row(f"r{i:02d}", START + dt.timedelta(days=i, hours=hours)) for i in range(n)]


def newest_first(items: list[Row]) -> list[Row]:
    return sorted(items, key=key, reverse=True)


def ids(page: Page[Row]) -> list[str]:
    return [row.id for row in page.items]


def raw_cursor(value: object) -> str:
    """A cursor-shaped string with any JSON inside, as a client could forge one."""
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def assert_bad_input(exc: pytest.ExceptionInfo[BadUserInput], argument: str) -> None:
    assert exc.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}


# first


@pytest.mark.parametrize(("first", "size"), [(None, DEFAULT_PAGE_SIZE), (1, 1), (37, 37), (100, 100)])
def test_first_defaults_to_20_and_accepts_1_to_100(first: int | None, size: int) -> None:
    assert (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) == (20, 100)
    assert check_first(first) == size


@pytest.mark.parametrize("first", [0, -1, 101, 10_000])
def test_first_outside_1_to_100_is_bad_user_input(first: int) -> None:
    with pytest.raises(BadUserInput) as exc:
        check_first(first)
    assert_bad_input(exc, "first")


def test_paginate_checks_first_and_pages_20_by_default() -> None:
    items = newest_first(rows(30))
    with pytest.raises(BadUserInput) as exc:
        paginate("Row", items, key=key, descending=True, first=0, after=None)
    assert_bad_input(exc, "first")
    page = paginate("Row", items, key=key, descending=True, first=None, after=None)
    assert len(page.items) == 20 and page.has_next_page


# cursors


@pytest.mark.parametrize(
    "sort_key",
    [
        ("2026-01-01T07:00:00.000000Z", "th-kari-001"),
        ("2026-01-01T07:00:00.000000Z", 'an id with "quotes", commas, / and +'),
        ("Ærlig talt, Østre Åsgårdsveien",),
        ("", ""),
    ],
)
def test_a_cursor_round_trips_and_is_opaque(sort_key: SortKey) -> None:
    cursor = encode_cursor("Thread", sort_key)
    assert decode_cursor("Thread", cursor) == sort_key
    # Safe in a URL or a JSON string as it is: base64url without padding, nothing of the key readable.
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert all(part not in cursor for part in sort_key if len(part) > 3)


def test_a_cursor_of_another_kind_is_bad_user_input() -> None:
    message_cursor = encode_cursor("Message", ("2026-01-01T07:00:00.000000Z", "msg-1"))
    with pytest.raises(BadUserInput) as exc:
        decode_cursor("Thread", message_cursor)
    assert_bad_input(exc, "after")
    assert "Thread" in exc.value.message


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "",
        "ø",
        "=",
        '["Thread", "x"]',  # the JSON itself, not encoded
        raw_cursor({"kind": "Thread", "key": "x"}),
        raw_cursor("Thread"),
        raw_cursor(["Thread"]),  # a kind but no key
        raw_cursor(["Thread", 17]),  # a key that is not a string
        raw_cursor(["Thread", None]),
        raw_cursor([["Thread"], "x"]),
        base64.urlsafe_b64encode(b"\xff\xfe not utf-8").decode(),
    ],
)
def test_garbage_is_bad_user_input_naming_after(cursor: str) -> None:
    with pytest.raises(BadUserInput) as exc:
        decode_cursor("Thread", cursor)
    assert_bad_input(exc, "after")
    # The same through paginate, which is what a connection field calls.
    with pytest.raises(BadUserInput) as exc:
        paginate("Thread", rows(3), key=key, descending=False, first=2, after=cursor)
    assert_bad_input(exc, "after")


def test_instant_keys_sort_as_the_instants_do_whatever_the_offset() -> None:
    utc = dt.UTC
    instants = [
        dt.datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=utc),
        dt.datetime(2026, 3, 29, 3, 0, tzinfo=OSLO),  # 01:00 UTC, the first instant of summer time
        dt.datetime(2026, 3, 29, 1, 0, 0, 1, tzinfo=utc),
        dt.datetime(2026, 3, 29, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=14))),  # 2026-03-28 22:00 UTC
    ]
    assert sorted(instants, key=instant_key) == sorted(instants)
    assert instant_key(instants[1]) == "2026-03-29T01:00:00.000000Z"


# paginate


def test_descending_pages_walk_every_item_once() -> None:
    items = newest_first(rows(10))
    first = paginate("Row", items, key=key, descending=True, first=4, after=None)
    assert ids(first) == ["r09", "r08", "r07", "r06"]
    assert first.has_next_page and first.total_count == 10
    assert first.end_cursor == first.cursor(first.items[-1]) == encode_cursor("Row", key(items[3]))
    second = paginate("Row", items, key=key, descending=True, first=4, after=first.end_cursor)
    assert ids(second) == ["r05", "r04", "r03", "r02"] and second.has_next_page
    last = paginate("Row", items, key=key, descending=True, first=4, after=second.end_cursor)
    assert ids(last) == ["r01", "r00"]
    assert not last.has_next_page and last.total_count == 10


def test_ascending_pages_walk_every_item_once() -> None:
    items = rows(6)
    first = paginate("Row", items, key=key, descending=False, first=3, after=None)
    assert ids(first) == ["r00", "r01", "r02"] and first.has_next_page
    second = paginate("Row", items, key=key, descending=False, first=3, after=first.end_cursor)
    # Exactly the rest: a full last page has no next page.
    assert ids(second) == ["r03", "r04", "r05"] and not second.has_next_page


def test_has_next_page_is_false_only_when_nothing_follows() -> None:
    items = rows(5)
    assert paginate("Row", items, key=key, descending=False, first=4, after=None).has_next_page
    assert not paginate("Row", items, key=key, descending=False, first=5, after=None).has_next_page
    assert not paginate("Row", items, key=key, descending=False, first=100, after=None).has_next_page


def test_an_after_between_two_items_continues_with_the_next_one() -> None:
    # The cursor's item is gone (withheld or archived since): the page starts at the next key in order.
    gone_descending = encode_cursor("Row", key(Row("r05", START + dt.timedelta(days=5))))
    present = [row for row in newest_first(rows(10)) if row.id != "r05"]
    page = paginate("Row", present, key=key, descending=True, first=2, after=gone_descending)
    assert ids(page) == ["r04", "r03"] and page.has_next_page
    between = encode_cursor("Row", key(Row("zz", START + dt.timedelta(days=2, hours=12))))
    page = paginate("Row", rows(10), key=key, descending=False, first=2, after=between)
    assert ids(page) == ["r03", "r04"]
    page = paginate("Row", newest_first(rows(10)), key=key, descending=True, first=2, after=between)
    assert ids(page) == ["r02", "r01"]


@pytest.mark.parametrize("descending", [True, False])
def test_an_after_past_the_end_gives_an_empty_last_page(descending: bool) -> None:
    items = newest_first(rows(4)) if descending else rows(4)
    beyond = Row("r99", START + dt.timedelta(days=-1 if descending else 99))
    page = paginate("Row", items, key=key, descending=descending, first=10, after=encode_cursor("Row", key(beyond)))
    assert list(page.items) == [] and page.end_cursor is None
    assert not page.has_next_page and page.total_count == 4
    after_last = paginate(
        "Row", items, key=key, descending=descending, first=10, after=encode_cursor("Row", key(items[-1]))
    )
    assert list(after_last.items) == [] and not after_last.has_next_page


def test_total_count_is_every_item_and_hidden_count_is_passed_through() -> None:
    page = paginate("Row", rows(7), key=key, descending=False, first=2, after=None, hidden_count=3)
    assert (len(page.items), page.total_count, page.hidden_count) == (2, 7, 3)
    assert paginate("Row", rows(7), key=key, descending=False, first=2, after=None).hidden_count == 0
    empty: Page[Row] = paginate("Row", [], key=key, descending=True, first=5, after=None, hidden_count=2)
    assert (list(empty.items), empty.has_next_page, empty.total_count, empty.hidden_count) == ([], False, 0, 2)


def test_items_with_the_same_instant_are_neither_skipped_nor_repeated() -> None:
    same = START + dt.timedelta(days=3)
    items = newest_first([*rows(3), Row("a", same), Row("b", same), Row("c", same)])
    seen: list[str] = []
    after = None
    for _ in range(len(items) + 1):  # bounded: a cursor that does not advance fails, never hangs
        page = paginate("Row", items, key=key, descending=True, first=1, after=after)
        seen += ids(page)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ["c", "b", "a", "r02", "r01", "r00"]


def test_a_cursor_names_a_sort_key_so_an_insert_between_two_pages_moves_nothing() -> None:
    before = newest_first(rows(8))
    first = paginate("Row", before, key=key, descending=True, first=3, after=None)
    assert ids(first) == ["r07", "r06", "r05"]
    # Between the two requests a new message arrives (a newer thread, which goes first) and an older
    # thread gets a message dated within the first page: two items now stand ahead of the cursor.
    newer = Row("new", START + dt.timedelta(days=30))
    bumped = Row("r06b", START + dt.timedelta(days=6, hours=1))
    after_insert = newest_first([*before, newer, bumped])
    second = paginate("Row", after_insert, key=key, descending=True, first=3, after=first.end_cursor)
    # A position (offset 3) would repeat r05 and r06; the sort key continues right after r05.
    assert ids(second) == ["r04", "r03", "r02"]
    assert second.total_count == 10
    # An insert past the cursor (older than r02) is met in its place.
    older = Row("r01b", START + dt.timedelta(days=1, hours=12))
    third = paginate(
        "Row", newest_first([*after_insert, older]), key=key, descending=True, first=3, after=second.end_cursor
    )
    assert ids(third) == ["r01b", "r01", "r00"] and not third.has_next_page
