"""The leadership pages' period: whole calendar months ending on an "as of" day, kept in
the URL (`period`, `as_of`; the Usage page keeps a `month`).

"As of" defaults to the last day with any platform activity (subscription event, payment,
usage or run) in the viewer's scope, so a database that is loaded daily shows today and the
demo data shows its own "today".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from ..cache import run_query
from ..queries import ops
from ..ui import date_param, pick_param
from ..viewer import Viewer

__all__ = [
    "PERIOD_CHOICES",
    "Period",
    "activity_span",
    "add_months",
    "month_as_of",
    "month_picker",
    "period_picker",
    "resolve_period",
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


def activity_span(viewer: Viewer) -> tuple[dt.date, dt.date] | None:
    """(first, last) UTC day of any activity in the viewer's scope; None when there is none."""
    viewer.require("leadership")
    bounds = run_query(ops.activity_bounds, scope=viewer.scope)
    if bounds.empty or bounds.iloc[0].isna().any():
        return None
    return bounds.iloc[0]["first_day"], bounds.iloc[0]["last_day"]


def period_picker(viewer: Viewer, default: str = "12m") -> Period | None:
    """Period and "as of" widgets, read from and written back to the URL; None when there is
    no activity at all."""
    span = activity_span(viewer)
    if span is None:
        return None
    first, last = span
    keys = list(PERIOD_CHOICES)
    left, right = st.columns(2)
    choice = left.selectbox(
        "Period",
        keys,
        index=pick_param("period", keys, keys.index(default)),
        format_func=PERIOD_CHOICES.__getitem__,
    )
    as_of = right.date_input(
        "As of", value=date_param("as_of", last, first, last), min_value=first, max_value=last
    )
    st.query_params.update({"period": choice, "as_of": as_of.isoformat()})
    return resolve_period(choice, as_of)


def month_picker(viewer: Viewer, months: int = 24) -> dt.date | None:
    """A calendar-month selectbox (URL `month`, YYYY-MM, latest first); returns the month's
    "as of" day (month_as_of). None when there is no activity at all."""
    span = activity_span(viewer)
    if span is None:
        return None
    first, last = span
    count = min(months, Period(first.replace(day=1), last).months)
    options = [f"{add_months(last, -i):%Y-%m}" for i in range(count)]
    label = st.selectbox("Month", options, index=pick_param("month", options))
    st.query_params.update({"month": label})
    return month_as_of(dt.date.fromisoformat(f"{label}-01"), last)
