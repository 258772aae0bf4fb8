"""One colour per regime and per plan, the same on every page."""

from __future__ import annotations

__all__ = ["PLAN_COLORS", "REGIME_COLORS", "plan_color", "regime_color"]

REGIME_COLORS = {"bull": "#2e7d32", "neutral": "#78909c", "bear": "#c62828", "crisis": "#6a1b9a"}
PLAN_COLORS = {"free": "#90a4ae", "starter": "#42a5f5", "pro": "#ffa726", "fund": "#7e57c2"}
_FALLBACK = ["#00897b", "#f9a825", "#5d4037", "#d81b60", "#3949ab", "#7cb342"]


def _pick(table: dict[str, str], key: str) -> str:
    if key in table:
        return table[key]
    return _FALLBACK[sum(map(ord, key)) % len(_FALLBACK)]


def regime_color(regime: str) -> str:
    """The colour of a regime; unknown regimes get a stable colour of their own."""
    return _pick(REGIME_COLORS, regime)


def plan_color(plan_id: str) -> str:
    return _pick(PLAN_COLORS, plan_id)
