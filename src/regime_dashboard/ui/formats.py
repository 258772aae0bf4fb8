"""Compact numbers for metric cards: a value that fits a card at any width ($947.4k,
1.2M, −$800), with a true minus sign. Tables keep full precision (ui/tables.py)."""

from __future__ import annotations

import math

__all__ = ["MINUS", "compact_number", "compact_usd", "signed_pct"]

MINUS = "\u2212"
_STEPS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def compact_number(value: float | None, decimals: int = 1) -> str:
    """`value` in at most ~6 characters: 947.4k, 1.2M, 312, −4.5k; `—` when missing."""
    if _missing(value):
        return "—"
    assert value is not None
    sign = MINUS if value < 0 else ""
    size = abs(value)
    for step, suffix in _STEPS:
        if round(size / step, decimals) >= 1:
            return f"{sign}{size / step:.{decimals}f}{suffix}"
    return f"{sign}{size:,.0f}" if size >= 100 or size == int(size) else f"{sign}{size:.2f}"


def compact_usd(value: float | None, decimals: int = 1) -> str:
    """Dollars compactly: $947.4k, −$800, $1.2M; `—` when missing."""
    text = compact_number(value, decimals)
    if text == "—":
        return text
    return f"{MINUS}${text[1:]}" if text.startswith(MINUS) else f"${text}"


def signed_pct(share: float | None, decimals: int = 1) -> str:
    """A change as a signed percentage (+4.2 %, −1.0 %); `—` when missing."""
    if _missing(share):
        return "—"
    assert share is not None
    sign = MINUS if share < 0 else "+"
    return f"{sign}{abs(share) * 100:.{decimals}f} %"
