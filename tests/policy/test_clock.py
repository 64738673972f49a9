"""Ages and "today" in Europe/Oslo: the rules are evaluated at "now" in Europe/Oslo
(docs/access-rules.md#representation)."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.policy.clock import OSLO, age_on, fixed_clock, today_in_oslo

D = dt.date
UTC = dt.UTC


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        pytest.param(D(2014, 6, 15), D(2026, 6, 14), 11, id="day-before-12th"),
        pytest.param(D(2014, 6, 15), D(2026, 6, 15), 12, id="12th-birthday"),
        pytest.param(D(2014, 6, 15), D(2026, 6, 16), 12, id="day-after-12th"),
        pytest.param(D(2013, 6, 15), D(2026, 6, 14), 12, id="day-before-13th"),
        pytest.param(D(2013, 6, 15), D(2026, 6, 15), 13, id="13th-birthday"),
        pytest.param(D(2010, 6, 15), D(2026, 6, 14), 15, id="day-before-16th"),
        pytest.param(D(2010, 6, 15), D(2026, 6, 15), 16, id="16th-birthday"),
        pytest.param(D(2010, 6, 15), D(2026, 6, 16), 16, id="day-after-16th"),
        pytest.param(D(2010, 6, 15), D(2026, 5, 31), 15, id="earlier-month-later-day"),
        pytest.param(D(2010, 6, 15), D(2026, 7, 1), 16, id="later-month-earlier-day"),
        pytest.param(D(2010, 12, 31), D(2026, 1, 1), 15, id="new-year-after-31-dec-birth"),
        pytest.param(D(2010, 1, 1), D(2025, 12, 31), 15, id="new-years-eve-before-1-jan-birthday"),
        pytest.param(D(2010, 1, 1), D(2026, 1, 1), 16, id="1-jan-birthday"),
        pytest.param(D(2026, 3, 1), D(2026, 3, 1), 0, id="day-of-birth"),
        pytest.param(D(1985, 4, 12), D(2026, 11, 1), 41, id="adult-kari"),
        # born on 29 February: a year older on 1 March in common years, on 29 February in leap years
        pytest.param(D(2012, 2, 29), D(2025, 2, 28), 12, id="leap-born-28-feb-common-year"),
        pytest.param(D(2012, 2, 29), D(2025, 3, 1), 13, id="leap-born-1-mar-common-year"),
        pytest.param(D(2012, 2, 29), D(2024, 2, 28), 11, id="leap-born-28-feb-leap-year"),
        pytest.param(D(2012, 2, 29), D(2024, 2, 29), 12, id="leap-born-29-feb-leap-year"),
        pytest.param(D(2012, 2, 29), D(2024, 3, 1), 12, id="leap-born-1-mar-leap-year"),
        pytest.param(D(2008, 2, 29), D(2026, 2, 28), 17, id="leap-born-18th-not-yet-28-feb"),
        pytest.param(D(2008, 2, 29), D(2026, 3, 1), 18, id="leap-born-18th-on-1-mar"),
        pytest.param(D(2012, 3, 1), D(2024, 2, 29), 11, id="1-mar-born-on-29-feb"),
        pytest.param(D(2011, 2, 28), D(2024, 2, 29), 13, id="28-feb-born-on-29-feb"),
    ],
)
def test_age_on(born: dt.date, day: dt.date, age: int) -> None:
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("now", "today"),
    [
        pytest.param(dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC), D(2026, 1, 1), id="new-year-2330-utc"),
        pytest.param(dt.datetime(2025, 12, 31, 22, 59, tzinfo=UTC), D(2025, 12, 31), id="new-years-eve-2259-utc"),
        pytest.param(dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC), D(2026, 1, 1), id="new-year-midnight-oslo"),
        # spring forward: 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC)
        pytest.param(dt.datetime(2026, 3, 28, 22, 59, tzinfo=UTC), D(2026, 3, 28), id="spring-eve-2359-cet"),
        pytest.param(dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC), D(2026, 3, 29), id="spring-day-0000-cet"),
        pytest.param(dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), D(2026, 3, 29), id="spring-0159-cet"),
        pytest.param(dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), D(2026, 3, 29), id="spring-0300-cest"),
        pytest.param(dt.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), D(2026, 3, 29), id="spring-2359-cest"),
        pytest.param(dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), D(2026, 3, 30), id="spring-next-0000-cest"),
        # fall back: 2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC)
        pytest.param(dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), D(2026, 10, 24), id="autumn-eve-2359-cest"),
        pytest.param(dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC), D(2026, 10, 25), id="autumn-day-0000-cest"),
        pytest.param(dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC), D(2026, 10, 25), id="autumn-2359-cet"),
        pytest.param(dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC), D(2026, 10, 26), id="autumn-next-0000-cet"),
        # the same instants given in Oslo time and in another zone
        pytest.param(dt.datetime(2026, 1, 1, 0, 0, tzinfo=OSLO), D(2026, 1, 1), id="oslo-midnight"),
        pytest.param(
            dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            D(2026, 1, 1),
            id="new-york-1800-is-oslo-0000",
        ),
        pytest.param(
            dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))),
            D(2026, 1, 1),
            id="tokyo-0800-new-year-is-oslo-0000",
        ),
    ],
)
def test_today_in_oslo(now: dt.datetime, today: dt.date) -> None:
    assert today_in_oslo(now) == today


def test_fixed_clock_answers_its_instant() -> None:
    at = dt.datetime(2026, 6, 15, 0, 0, tzinfo=OSLO)
    clock = fixed_clock(at)
    assert clock() == at
    assert clock() == at


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError):
        fixed_clock(dt.datetime(2026, 6, 15, 0, 0))
