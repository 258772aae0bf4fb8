"""The leadership pages' period: whole calendar months ending on an "as of" day, kept in
the URL (`period`, `as_of`; the Usage page keeps a `month`); and the small display helpers
those pages share (money and share formats, a table with its CSV export).

"As of" defaults to the last day with any platform activity (subscription event, payment,
usage or run) in the viewer's scope, so a database that is loaded daily shows today and the
demo data shows its own "today".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
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
    "format_seconds",
    "format_share",
    "format_usd",
    "month_as_of",
    "month_column",
    "month_picker",
    "period_picker",
    "resolve_period",
    "share_column",
    "table_with_download",
    "usd_column",
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


def format_usd(amount: float | None, decimals: int = 0) -> str:
    """'$1,234' (or '—' when there is no amount)."""
    if amount is None or pd.isna(amount):
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{decimals}f}"


def format_share(share: float | None) -> str:
    """'12.3 %' (or '—' when undefined)."""
    return "—" if share is None or pd.isna(share) else f"{share:.1%}".replace("%", " %")


def format_seconds(seconds: float | None) -> str:
    """'12.3 s' (or '—' when undefined)."""
    return "—" if seconds is None or pd.isna(seconds) else f"{seconds:,.1f} s"


def table_with_download(
    frame: pd.DataFrame, file_name: str, column_config: dict | None = None
) -> None:
    """A table and, under it, its CSV export."""
    st.dataframe(frame, hide_index=True, column_config=column_config)
    st.download_button(
        "Download CSV",
        frame.to_csv(index=False).encode(),
        file_name=file_name,
        mime="text/csv",
        key=f"csv_{file_name}",
    )


def usd_column(label: str) -> Any:
    """A table column of US dollars ($1,234.57)."""
    return st.column_config.NumberColumn(label, format="dollar")


def share_column(label: str) -> Any:
    """A table column of shares shown as percentages."""
    return st.column_config.NumberColumn(label, format="percent")


def month_column(label: str = "Month") -> Any:
    return st.column_config.DateColumn(label, format="MMM YYYY")
