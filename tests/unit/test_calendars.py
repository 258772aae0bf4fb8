"""Trading calendars (exchange-calendars) against the published exchange holiday lists and
the New York Stock Exchange's unscheduled closures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from regime_dashboard.calendars import (
    CALENDARS,
    STORED_NAMES,
    canonical,
    default_calendar,
    periods_per_year,
    sessions,
)

D = dt.date
# Full-day closures of the NYSE outside its regular holiday rules, 1999-2018.
UNSCHEDULED_CLOSURES = [
    D(2001, 9, 11),  # September 11 attacks, through Friday the 14th
    D(2001, 9, 12),
    D(2001, 9, 13),
    D(2001, 9, 14),
    D(2004, 6, 11),  # national day of mourning, President Reagan
    D(2007, 1, 2),  # national day of mourning, President Ford
    D(2012, 10, 29),  # Hurricane Sandy
    D(2012, 10, 30),
    D(2018, 12, 5),  # national day of mourning, President G. H. W. Bush
]


def _weekdays_off(calendar: str, year: int) -> list[D]:
    """Weekdays of `year` that are not sessions of `calendar`."""
    days = pd.date_range(D(year, 1, 1), D(year, 12, 31), freq="B")
    return [d.date() for d in days.difference(sessions(calendar, D(year, 1, 1), D(year, 12, 31)))]


def test_2024_closures_are_the_published_ten() -> None:
    assert _weekdays_off("XNYS", 2024) == [
        D(2024, 1, 1),
        D(2024, 1, 15),
        D(2024, 2, 19),
        D(2024, 3, 29),
        D(2024, 5, 27),
        D(2024, 6, 19),
        D(2024, 7, 4),
        D(2024, 9, 2),
        D(2024, 11, 28),
        D(2024, 12, 25),
    ]


def test_weekend_holidays_are_observed_and_saturday_new_year_is_not() -> None:
    assert D(2022, 12, 26) in _weekdays_off("XNYS", 2022)  # Christmas on Sunday -> Monday
    assert D(2022, 6, 20) in _weekdays_off("XNYS", 2022)  # Juneteenth on Sunday -> Monday
    assert D(2021, 12, 31) not in _weekdays_off("XNYS", 2021)  # 2022-01-01 was a Saturday
    assert D(2021, 6, 18) not in _weekdays_off("XNYS", 2021)  # Juneteenth began in 2022


def test_unscheduled_closures_are_not_sessions() -> None:
    days = sessions("XNYS", D(1999, 1, 1), D(2018, 12, 31))
    assert not days.isin(pd.to_datetime(UNSCHEDULED_CLOSURES)).any()
    # the days around them are sessions
    for day in (D(2001, 9, 10), D(2001, 9, 17), D(2012, 10, 31), D(2018, 12, 6)):
        assert pd.Timestamp(day) in days


def test_session_counts_of_each_calendar() -> None:
    year = (D(2024, 1, 1), D(2024, 12, 31))
    assert len(sessions("XNYS", *year)) == 252
    assert len(sessions("24/7", *year)) == 366  # a leap year
    assert len(sessions("24/5", *year)) == 262  # every weekday, Christmas included
    assert len(sessions("XNYS", D(2001, 1, 1), D(2001, 12, 31))) == 248  # 252 less 9/11-14


def test_sessions_are_naive_nanosecond_midnights_and_start_after_end_is_empty() -> None:
    days = sessions("XNYS", D(2024, 7, 1), D(2024, 7, 8))
    assert days.dtype == "datetime64[ns]" and days.tz is None
    assert [d.date() for d in days] == [D(2024, 7, d) for d in (1, 2, 3, 5, 8)]
    assert sessions("XNYS", D(2024, 7, 8), D(2024, 7, 1)).empty


def test_ranges_beyond_the_default_bounds_are_served() -> None:
    assert len(sessions("XNYS", D(1985, 1, 1), D(1985, 12, 31))) == 252
    far = sessions("24/7", D(2040, 1, 1), D(2040, 1, 31))
    assert len(far) == 31


def test_dates_pandas_cannot_hold_have_no_sessions() -> None:
    assert len(sessions("XNYS", D(1, 1, 1), D(1678, 1, 10))) == 6  # from Mon 3 Jan 1678
    assert len(sessions("24/7", D(2261, 12, 30), D(2999, 12, 31))) == 2
    assert sessions("24/5", D(2262, 1, 1), D(9999, 12, 31)).empty


def test_legacy_names_read_as_their_exchange_calendars() -> None:
    assert canonical("trading_252") == "XNYS" and canonical("calendar_365") == "24/7"
    span = (D(2012, 10, 1), D(2012, 11, 30))
    assert sessions("trading_252", *span).equals(sessions("XNYS", *span))
    assert set(CALENDARS) < set(STORED_NAMES)
    assert [periods_per_year(c) for c in CALENDARS] == [252, 365, 260]
    assert [default_calendar(c) for c in ("equity", "crypto", "fx", "commodity")] == [
        "XNYS",
        "24/7",
        "24/5",
        "XNYS",
    ]


def test_unknown_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown calendar"):
        sessions("weekly", D(2024, 1, 1), D(2024, 1, 31))


def test_the_schema_accepts_exactly_the_stored_names() -> None:
    from regime_dashboard.db.models.market import CALENDARS as SCHEMA_NAMES

    assert SCHEMA_NAMES == STORED_NAMES
