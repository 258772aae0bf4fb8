"""Trading calendars of assets, from the maintained `exchange-calendars` package.

An asset's `assets.calendar` names the calendar its bars follow:

* ``XNYS``: New York Stock Exchange sessions (US equities and ETFs), with the exchange's
  regular holidays and its unscheduled closures (2001-09-11..14, national days of mourning,
  Hurricane Sandy, ...);
* ``24/7``: every day (crypto);
* ``24/5``: every weekday (FX).

Rows written before migration 0008 may still carry the earlier names ``trading_252``
(read as ``XNYS``) and ``calendar_365`` (read as ``24/7``).
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache

import exchange_calendars as xc
import pandas as pd
from pandas.errors import Pandas4Warning

__all__ = [
    "CALENDARS",
    "CALENDAR_LABELS",
    "LEGACY_NAMES",
    "STORED_NAMES",
    "canonical",
    "default_calendar",
    "periods_per_year",
    "sessions",
]

CALENDARS = ("XNYS", "24/7", "24/5")
LEGACY_NAMES = {"trading_252": "XNYS", "calendar_365": "24/7"}
STORED_NAMES = (*CALENDARS, *LEGACY_NAMES)  # what `assets.calendar` accepts
CALENDAR_LABELS = {
    "XNYS": "New York Stock Exchange sessions",
    "24/7": "every day",
    "24/5": "every weekday",
}
_PERIODS = {"XNYS": 252, "24/7": 365, "24/5": 260}
_DEFAULT_BY_CLASS = {"crypto": "24/7", "fx": "24/5"}
FIRST_YEAR = 1990  # calendars are built from here at least (earlier when asked for)
YEARS_AHEAD = 2  # ... and to this many years after the current one at least
LIMITS = (1678, 2261)  # whole years inside datetime64[ns] (1677-09-21 .. 2262-04-11)


def canonical(calendar: str) -> str:
    """The exchange-calendars name of a stored calendar name (legacy names mapped);
    ValueError for a name that is neither."""
    name = LEGACY_NAMES.get(calendar, calendar)
    if name not in CALENDARS:
        raise ValueError(f"unknown calendar {calendar!r}; expected one of {STORED_NAMES}")
    return name


def default_calendar(asset_class: str) -> str:
    """The calendar of a new asset of `asset_class`: 24/7 for crypto, 24/5 for FX, else
    XNYS."""
    return _DEFAULT_BY_CLASS.get(asset_class, "XNYS")


def periods_per_year(calendar: str) -> int:
    """Sessions in a typical year of `calendar` (for annualising): 252, 365 or 260."""
    return _PERIODS[canonical(calendar)]


@lru_cache(maxsize=16)
def _exchange(name: str, first_year: int, last_year: int) -> xc.ExchangeCalendar:
    """An exchange-calendars calendar covering the whole years given (building one takes
    a few hundred milliseconds, so each is kept). exchange-calendars 4.13 reads its UTC
    schedule with `Series.values`, which pandas 3.1 warns about; the values it gets are the
    ones it wants (UTC nanoseconds), so that one warning is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Series.values returning an ndarray", category=Pandas4Warning
        )
        return xc.get_calendar(
            name, start=dt.date(first_year, 1, 1), end=dt.date(last_year, 12, 31)
        )


def sessions(calendar: str, start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    """Every session date of `calendar` (a stored name) from `start` to `end`, both
    included, as tz-naive datetime64[ns] midnights; empty when `start` is after `end`.
    Calendars span the years LIMITS at most (what datetime64[ns] holds with a margin):
    dates outside have no sessions."""
    name = canonical(calendar)
    first_year = max(LIMITS[0], min(FIRST_YEAR, start.year))
    last_year = min(LIMITS[1], max(dt.date.today().year + YEARS_AHEAD, end.year))
    start = max(start, dt.date(first_year, 1, 1))
    end = min(end, dt.date(last_year, 12, 31))
    if start > end:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    exchange = _exchange(name, first_year, last_year)
    # the calendar spans whole years, but refuses dates before its first session
    first = max(pd.Timestamp(start), exchange.first_session)
    last = min(pd.Timestamp(end), exchange.last_session)
    if first > last:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    days = exchange.sessions_in_range(first, last)
    return pd.DatetimeIndex(days.to_numpy(), dtype="datetime64[ns]")
