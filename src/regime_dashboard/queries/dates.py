"""The dates a page can use. Postgres holds any date from 4713 BC to 5874897 AD, but pandas'
datetime64[ns] only spans 1677-09-21 00:12 to 2262-04-11 23:47, so a row dated outside the
whole days FIRST..LAST (written by another service: 0001-01-01, 2999-12-31) cannot be
charted. Queries leave such rows out and the pages say how many they skipped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, or_
from sqlalchemy.orm import InstrumentedAttribute

__all__ = [
    "FIRST",
    "LAST",
    "clamp",
    "end_of",
    "start_of",
    "supported",
    "unsupported",
    "utc_day",
]

FIRST = dt.date(1677, 9, 22)
LAST = dt.date(2262, 4, 11)


DateColumn = ColumnElement[dt.date] | InstrumentedAttribute[dt.date]


def supported(column: DateColumn) -> ColumnElement[bool]:
    """`column` lies in FIRST..LAST."""
    return column.between(FIRST, LAST)


def unsupported(column: DateColumn) -> ColumnElement[bool]:
    """`column` lies outside FIRST..LAST (two index range probes on a date key)."""
    return or_(column < FIRST, column > LAST)


def clamp(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end] cut to FIRST..LAST (start may end up after end: an empty range)."""
    return max(start, FIRST), min(end, LAST)


def start_of(day: dt.date) -> dt.datetime:
    """The instant opening `day` (00:00 UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def end_of(day: dt.date) -> dt.datetime:
    """The instant closing `day` (00:00 UTC of the next day)."""
    return start_of(day + dt.timedelta(days=1))


def utc_day(column: Any) -> ColumnElement[dt.date]:
    """The UTC calendar date of a timestamptz column (or aggregate of one)."""
    return cast(func.timezone("UTC", column), Date)
