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
    "default_usage_month",
    "is_month_end",
    "month_as_of",
    "previous_period",
    "resolve_period",
    "same_day_months_before",
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
        """ "Dec 2025 – Nov 2026 (12 whole months)", and "+ 1–20 Dec 2026 to date" when the
        last month is partial."""
        whole = self.whole_months
        if whole == 0:
            return f"{self.as_of:%b %Y} to the {self.as_of.day}th (month to date)"
        last_whole = add_months(self.first_month, whole - 1)
        text = f"{self.first_month:%b %Y} – {last_whole:%b %Y} ({whole} whole months)"
        if whole == 1:
            text = f"{self.first_month:%b %Y} (1 whole month)"
        if whole < self.months:
            days = f"1–{self.as_of.day}" if self.as_of.day > 1 else "1"
            text += f" + {days} {self.as_of:%b %Y} to date"
        return text

    @property
    def whole_months(self) -> int:
        """The months of the period that are complete (the as-of month only when as_of is
        its last day)."""
        return self.months - (0 if is_month_end(self.as_of) else 1)

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


def is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def resolve_period(choice: str, as_of: dt.date) -> Period:
    """The Period a choice of PERIOD_CHOICES names, ending on `as_of`. "Last N months" is
    N whole months: those up to `as_of` when it is a month's last day, else the N before
    its month, followed by that month to date."""
    if choice == "ytd":
        return Period(dt.date(as_of.year, 1, 1), as_of)
    whole = 0 if is_month_end(as_of) else 1
    return Period(add_months(as_of, 1 - _MONTHS[choice] - whole), as_of)


def same_day_months_before(day: dt.date, n: int) -> dt.date:
    """`day` `n` months earlier, clamped to that month's last day (31 Mar - 1 = 28 Feb); a
    month's last day gives that month's last day (30 Nov - 3 = 31 Aug)."""
    month = add_months(day, -n)
    last = add_months(month, 1) - dt.timedelta(days=1)
    return last if is_month_end(day) else month.replace(day=min(day.day, last.day))


def previous_period(period: Period) -> Period:
    """The period a card compares `period` with: as many months just before it, "as of"
    the same day of the month (Sep 1 - Nov 20 -> Jun 1 - Aug 20); a year to date shorter
    than a year (starting in January) compares with the same dates a year earlier."""
    shift = 12 if period.first_month.month == 1 and period.months < 12 else period.months
    first_month = add_months(period.first_month, -shift)
    return Period(first_month, same_day_months_before(period.as_of, shift))


MIN_MONTH_TO_DATE_DAYS = 7
"""The Usage page opens on the current month once this many of its days have data."""


def default_usage_month(last_day: dt.date) -> dt.date:
    """The month the Usage page opens on (its first day): the month of `last_day` once it
    has MIN_MONTH_TO_DATE_DAYS days of data, else the last full month before it (so the
    page does not open on a 1st of the month with everything at 0)."""
    month = last_day.replace(day=1)
    return month if last_day.day >= MIN_MONTH_TO_DATE_DAYS else add_months(month, -1)


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
