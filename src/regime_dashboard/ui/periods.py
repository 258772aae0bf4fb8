"""The leadership pages' period widgets, kept in the URL (`period`, `as_of`; the Usage
page keeps a `month`), and the header those pages share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ..services.periods import (
    PERIOD_CHOICES,
    Period,
    activity_span,
    add_months,
    month_as_of,
    resolve_period,
)
from ..session import page_viewer
from ..viewer import Viewer
from .params import BIND, pick

__all__ = ["leadership_header", "month_picker", "period_picker"]

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
    """A calendar-month selectbox (URL `month`, YYYY-MM, latest first); returns the month's
    "as of" day (month_as_of). None when there is no activity at all."""
    span = activity_span(viewer)
    if span is None:
        return None
    first, last = span
    count = min(months, Period(first.replace(day=1), last).months)
    options = [f"{add_months(last, -i):%Y-%m}" for i in range(count)]
    label = pick(st, "Month", options, key="month")
    return month_as_of(dt.date.fromisoformat(f"{label}-01"), last)


def leadership_header(title: str, nothing_yet: str, default: str = "12m") -> tuple[Viewer, Period]:
    """The top of a leadership page: its title, the viewer (leadership required) and the
    period picker. With no activity at all it says `nothing_yet` and how to get demo data,
    and stops the page."""
    st.title(title)
    viewer = page_viewer("leadership")
    period = period_picker(viewer, default=default)
    if period is None:
        st.info(f"{nothing_yet}: {SEED_HINT}.")
        st.stop()
    return viewer, period
