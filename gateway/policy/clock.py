"""The one source of "now": injectable, so tests can stand on a birthday or at midnight."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(OSLO)


def fixed_clock(at: dt.datetime) -> Clock:
    """A clock that always answers `at` (for tests and reproducible demos)."""
    if at.tzinfo is None:
        raise ValueError("a fixed clock needs an aware datetime")
    return lambda: at


def today_in_oslo(now: dt.datetime) -> dt.date:
    return now.astimezone(OSLO).date()


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years; a person born on 29 February turns a year older on 1 March in common years."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)
