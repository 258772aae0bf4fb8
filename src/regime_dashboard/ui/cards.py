"""KPI cards of the leadership pages: a value that fits the card at any width (compact
from ten thousand: $45.3k, 1.2M), its change against the previous period as the card's
delta (green when the change is good, red when bad), the exact value in the card's help,
and a sparkline of the value over the period. `card_row` lays cards out on every page
(Home, Portfolio, the leadership pages): a row that fills the page and wraps, two cards
to a row on a phone."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

import streamlit as st

from .formats import MINUS, compact_number, compact_usd
from .tables import format_seconds, format_share

__all__ = ["MAX_PER_ROW", "Kind", "card_row", "card_value", "delta_text", "exact_value", "kpi"]

Kind = Literal["usd", "count", "share", "seconds"]
COMPACT_FROM = 10_000  # amounts from here on are shown compactly ($45.3k)
MAX_PER_ROW = 5  # more cards than this in one row truncate their values at 1400 px


def card_row(count: int, where: Any = None) -> list[Any]:
    """`count` slots for cards, side by side in one row of `where` (None: the page) that
    fills its width: each slot stretches, and Streamlit's horizontal container wraps a slot
    to the next line below 8rem, so a 390 px phone shows two cards to a row and 1400 px
    the whole row (up to MAX_PER_ROW cards keep their values whole there: put more in two
    rows). The slots stretch to the row's height, so cards with and without a sparkline
    line up."""
    if not 0 < count <= MAX_PER_ROW:
        raise ValueError(f"a row of cards holds 1 to {MAX_PER_ROW} cards, not {count}")
    row = (st if where is None else where).container(horizontal=True, gap="small")
    return [row.container(height="stretch") for _ in range(count)]


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(float(value))


def card_value(value: float | None, kind: Kind) -> str:
    """The card's text: $3,776 / $45.3k, 812 / 12.3k, 2.8 %, 1.5 s; `—` when missing."""
    if _missing(value):
        return "—"
    assert value is not None
    if kind == "share":
        return format_share(value).replace("-", MINUS)
    if kind == "seconds":
        return format_seconds(value)
    if abs(value) >= COMPACT_FROM:
        return compact_usd(value) if kind == "usd" else compact_number(value)
    if kind == "usd":
        return f"{MINUS if value < 0 else ''}${abs(value):,.0f}"
    return f"{MINUS if value < 0 else ''}{abs(value):,.0f}"


def exact_value(value: float | None, kind: Kind) -> str:
    """The value in full ($45,310.20, 12,345, 2.81 %), for the card's help."""
    if _missing(value):
        return "—"
    assert value is not None
    sign = MINUS if value < 0 else ""
    texts: dict[str, Callable[[float], str]] = {
        "usd": lambda v: f"${v:,.2f}",
        "count": lambda v: f"{v:,.0f}",
        "share": lambda v: f"{v * 100:.2f} %",
        "seconds": lambda v: f"{v:,.2f} s",
    }
    return sign + texts[kind](abs(value))


def delta_text(value: float | None, previous: float | None, kind: Kind) -> str | None:
    """The change from `previous` to `value`: +$1.2k, −3, +0.4 pts (shares change by
    percentage points); a change that rounds to zero has no sign (0.0 pts, 0); None
    when either is missing."""
    if _missing(value) or _missing(previous):
        return None
    assert value is not None and previous is not None
    change = float(value) - float(previous)
    sign = MINUS if change < 0 else "+"
    size = abs(change)
    if kind in ("share", "seconds"):
        text = f"{size * 100:,.1f} pts" if kind == "share" else f"{size:,.1f} s"
    elif size >= COMPACT_FROM or kind == "count":
        text = card_value(size, kind)
    else:
        text = f"${size:,.0f}" if size >= 100 or size == int(size) else f"${size:,.2f}"
    return sign + text if re.search("[1-9]", text) else text


def _direction(value: float | None, previous: float | None, lower_is_better: bool) -> tuple:
    """(delta_color, delta_arrow) of the change: the arrow its sign, green when good."""
    if _missing(value) or _missing(previous) or value == previous:
        return "gray", "off"
    assert value is not None and previous is not None
    up = value > previous
    good = up != lower_is_better
    return ("green" if good else "red"), ("up" if up else "down")


def _versus(since: str) -> str | None:
    """The delta's caption where it fits beside the delta on a 170 px card: "vs Oct" when
    `since` is a month ("Oct 2025"); none otherwise (a day or a range would be cut: the
    full `since` and the value then are in the card's help)."""
    month = re.fullmatch(r"([A-Z][a-z]{2}) \d{4}", since.strip())
    return f"vs {month.group(1)}" if month else None


def kpi(
    where: Any,
    label: str,
    value: float | None,
    kind: Kind,
    *,
    previous: float | None = None,
    since: str = "the previous period",
    series: Iterable[float] | None = None,
    lower_is_better: bool = False,
    help: str | None = None,
    scale: float = 1.0,
) -> None:
    """A metric card in `where`: `value` (card_value), its change against `previous`
    (the value at the end of the previous period, said in the delta's description
    `since`), the exact value and `help` in the card's help, and `series` (the value
    month by month over the period, missing months left out) as a sparkline. `value` and
    `previous` are multiplied by `scale` (0.01: cents to dollars); `series` is not."""
    value, previous = (None if v is None else v * scale for v in (value, previous))
    color, arrow = _direction(value, previous, lower_is_better)
    delta = delta_text(value, previous, kind)
    if delta is not None and not re.search("[1-9]", delta):  # 0.0 pts: no change to colour
        color, arrow = "gray", "off"
    points = [float(v) for v in series if not _missing(v)] if series is not None else None
    notes = [f"Exactly {exact_value(value, kind)}."]
    if previous is not None:
        notes.append(f"Then ({since}): {exact_value(previous, kind)}.")
    if help:
        notes.append(help)
    where.metric(
        label,
        card_value(value, kind),
        delta,
        delta_color=color,
        delta_arrow=arrow,
        delta_description=_versus(since) if previous is not None else None,
        help=" ".join(notes),
        chart_data=points or None,
        chart_type="line",
        border=True,
        height="stretch",
    )
