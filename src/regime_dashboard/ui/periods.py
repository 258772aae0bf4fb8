"""The leadership pages' period widgets, kept in the URL (`period`, `as_of`; the Usage
page keeps a `month`), and the header those pages share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from ..services.periods import (
    PERIOD_CHOICES,
    Period,
    activity_span,
    add_months,
    default_usage_month,
    month_as_of,
    resolve_period,
)
from ..session import page_viewer
from ..viewer import Viewer
from .params import BIND, pick

__all__ = [
    "leadership_header",
    "leadership_month_header",
    "leadership_view",
    "month_picker",
    "period_picker",
    "stop_when_empty",
]

T = TypeVar("T")
V = TypeVar("V")
SEED_HINT = "run `regime-dashboard seed --scale small` for demo data"


def period_picker(viewer: Viewer, default: str = "12m") -> Period | None:
    """Period and "as of" widgets, kept in the URL; None when there is no activity at all."""
    span = activity_span(viewer)
    if span is None:
        return None
    first, last = span
    left, right = st.columns(2)
    choice = pick(
        left, "Period", PERIOD_CHOICES, key="period", default=list(PERIOD_CHOICES).index(default)
    )
    as_of = right.date_input(
        "As of", value=last, min_value=first, max_value=last, key="as_of", bind=BIND
    )
    return resolve_period(choice, as_of)


def month_picker(viewer: Viewer, months: int = 24) -> dt.date | None:
    """A calendar-month selectbox (URL `month`, YYYY-MM, latest first), opening on
    default_usage_month (the last full month until the current one has a week of data);
    returns the month's "as of" day (month_as_of). None when there is no activity at all."""
    span = activity_span(viewer)
    if span is None:
        return None
    first, last = span
    count = min(months, Period(first.replace(day=1), last).months)
    options = [f"{add_months(last, -i):%Y-%m}" for i in range(count)]
    opening = f"{default_usage_month(last):%Y-%m}"
    default = options.index(opening) if opening in options else 0
    label = pick(st, "Month", options, key="month", default=default)
    return month_as_of(dt.date.fromisoformat(f"{label}-01"), last)


def _leadership_top(
    title: str, nothing_yet: str, picker: Callable[[Viewer], T | None]
) -> tuple[Viewer, T]:
    """The top of a leadership page: its title, the viewer (leadership required) and what
    `picker` picks. With no activity at all (None) it says `nothing_yet` and how to get demo
    data, and stops the page."""
    st.title(title)
    viewer = page_viewer("leadership")
    picked = picker(viewer)
    if picked is None:
        st.info(f"{nothing_yet}: {SEED_HINT}.")
        st.stop()
    return viewer, picked


def leadership_header(title: str, nothing_yet: str, default: str = "12m") -> tuple[Viewer, Period]:
    """`_leadership_top` with the period picker (`default` choice)."""
    return _leadership_top(title, nothing_yet, lambda viewer: period_picker(viewer, default))


def leadership_month_header(title: str, nothing_yet: str) -> tuple[Viewer, dt.date]:
    """`_leadership_top` with the calendar-month picker: the month's "as of" day."""
    return _leadership_top(title, nothing_yet, month_picker)


def leadership_view(
    title: str,
    nothing_yet: str,
    load: Callable[[Viewer, Period], V],
    *,
    spinner: str,
    default: str = "12m",
) -> tuple[Period, V]:
    """A leadership page's header (`leadership_header`) and its view model: the period
    picked and `load(viewer, period)`, loaded under a spinner saying `spinner`."""
    viewer, period = leadership_header(title, nothing_yet, default=default)
    with st.spinner(spinner):
        return period, load(viewer, period)


def stop_when_empty(rows: pd.DataFrame, message: str) -> None:
    """Say `message` and stop the page when `rows` is empty (nothing in the period)."""
    if rows.empty:
        st.info(message)
        st.stop()
