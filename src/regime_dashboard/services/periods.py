"""The leadership pages' period: whole calendar months ending on an "as of" day (the
widgets that pick one, kept in the URL, are in ui.periods).

"As of" defaults to the last day with any platform activity (subscription event, payment,
usage or run) in the viewer's scope, so a database that is loaded daily shows today and the
demo data shows its own "today".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..queries import ops
from ..viewer import Viewer

__all__ = [
    "PERIOD_CHOICES",
    "Period",
    "activity_span",
    "add_months",
    "month_as_of",
    "resolve_period",
    "with_month_dates",
]

PERIOD_CHOICES = {
    "3m": "Last 3 months",
    "6m": "Last 6 months",
    "12m": "Last 12 months",
    "24m": "Last 24 months",
    "ytd": "Year to date",
}
_MONTHS = {"3m": 3, "6m": 6, "12m": 12, "24m": 24}


@dataclass(frozen=True)
class Period:
    """From the first day of `first_month` to the end of `as_of` (UTC), inclusive."""

    first_month: dt.date
    as_of: dt.date

    @property
    def label(self) -> str:
        return f"{self.first_month:%b %Y} – {self.as_of:%d %b %Y}"

    @property
    def months(self) -> int:
        return (
            (self.as_of.year - self.first_month.year) * 12
            + self.as_of.month
            - self.first_month.month
            + 1
        )


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `month`'s (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def resolve_period(choice: str, as_of: dt.date) -> Period:
    """The Period a choice of PERIOD_CHOICES names, ending on `as_of`."""
    if choice == "ytd":
        return Period(dt.date(as_of.year, 1, 1), as_of)
    return Period(add_months(as_of, 1 - _MONTHS[choice]), as_of)


def month_as_of(month: dt.date, last_day: dt.date) -> dt.date:
    """The last day of `month` there is data for: its last day, or `last_day` within it."""
    return min(add_months(month, 1) - dt.timedelta(days=1), last_day)


def with_month_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `month` column (first days, dt.date) as datetime64, for charts."""
    return frame.assign(month=pd.to_datetime(frame["month"]))


def activity_span(viewer: Viewer) -> tuple[dt.date, dt.date] | None:
    """(first, last) UTC day of any activity in the viewer's scope; None when there is none."""
    viewer.require("leadership")
    bounds = run_query(ops.activity_bounds, scope=viewer.scope)
    if bounds.empty or bounds.iloc[0].isna().any():
        return None
    return bounds.iloc[0]["first_day"], bounds.iloc[0]["last_day"]
