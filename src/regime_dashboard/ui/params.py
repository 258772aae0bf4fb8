"""Filters kept in the URL: a page reopened from a shared link shows the same view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

__all__ = ["date_param", "pick_param"]

T = TypeVar("T")


def pick_param(name: str, options: Sequence[T], default_index: int = 0) -> int:
    """Index of the option named in the URL's `name` parameter, else `default_index`."""
    wanted = st.query_params.get(name)
    labels = [str(o) for o in options]
    return (
        labels.index(wanted) if wanted in labels else min(default_index, max(len(options) - 1, 0))
    )


def date_param(name: str, default: dt.date, low: dt.date, high: dt.date) -> dt.date:
    """The URL's date `name` (YYYY-MM-DD) clamped to [low, high], else `default`."""
    try:
        value = dt.date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return default
    return min(max(value, low), high)
