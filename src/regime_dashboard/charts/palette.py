"""One colour per regime and per plan, the same on every page."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = [
    "ARR_COLOR",
    "PANEL_LINE_COLOR",
    "PLAN_COLORS",
    "REGIME_COLORS",
    "SERIES_COLORS",
    "plan_color",
    "regime_color",
    "regime_colors",
    "regime_order",
]

REGIME_COLORS = {"bull": "#2e7d32", "neutral": "#78909c", "bear": "#c62828", "crisis": "#6a1b9a"}
PLAN_COLORS = {"free": "#90a4ae", "starter": "#42a5f5", "pro": "#ffa726", "fund": "#7e57c2"}
HIGHLIGHT_COLOR = "#1e88e5"  # marks what to look at (days two releases differ): no regime's hue
NET_LINE_COLOR = "#ec407a"  # a total drawn over bars: mid-tone, reads on light and dark themes
# mid-tones that read on both the light (#ffffff) and the dark (#0e1117) background:
ARR_COLOR = "#ab47bc"  # ARR beside MRR's blue bars
PANEL_LINE_COLOR = "#1e88e5"  # an engine panel's line over the regime bands (no regime's hue)
# one colour per compared series (runs, strategy and benchmark): far apart in hue, none a
# regime's, all mid-tones
SERIES_COLORS = ("#1e88e5", "#fb8c00", "#d81b60", "#00897b", "#8e6cef", "#7cb342")
# colours for labels not named above, none of them close to a known regime's
_FALLBACK = [
    "#00897b",
    "#f9a825",
    "#5d4037",
    "#d81b60",
    "#3949ab",
    "#7cb342",
    "#f4511e",
    "#00acc1",
    "#8d6e63",
    "#c0ca33",
]


def _slot(key: str) -> int:
    """A label's own fallback slot: the same in every process (unlike `hash`)."""
    return zlib.crc32(key.encode()) % len(_FALLBACK)


def regime_color(regime: str) -> str:
    """The colour of a regime; an unknown regime gets a stable colour of its own (two
    unknown labels may share one: `regime_colors` keeps the labels of one chart apart)."""
    return REGIME_COLORS.get(regime) or _FALLBACK[_slot(regime)]


def regime_colors(regimes: Iterable[str]) -> dict[str, str]:
    """{label: colour} for the labels of one chart, in first-seen order: known regimes keep
    their colours; each unknown label takes its own slot, or the next free one when a label
    sorted before it took that slot, so the labels of one release always differ (until the
    ten fallback colours run out) and get the same colours on every chart of it."""
    labels = list(dict.fromkeys(str(r) for r in regimes))
    colors = {label: REGIME_COLORS[label] for label in labels if label in REGIME_COLORS}
    taken: set[int] = set()
    for label in sorted(label for label in labels if label not in REGIME_COLORS):
        slot = _slot(label)
        for step in range(len(_FALLBACK)):
            if (slot + step) % len(_FALLBACK) not in taken:
                slot = (slot + step) % len(_FALLBACK)
                break
        taken.add(slot)
        colors[label] = _FALLBACK[slot]
    return {label: colors[label] for label in labels}


def regime_order(regimes: Iterable[str]) -> list[str]:
    """The distinct labels for a legend: known regimes in REGIME_COLORS order (bull,
    neutral, bear, crisis), then the others alphabetically."""
    labels = set(map(str, regimes))
    known = [label for label in REGIME_COLORS if label in labels]
    return known + sorted(labels - set(REGIME_COLORS))


_PLAN_FALLBACK = _FALLBACK[:6]


def plan_color(plan_id: str) -> str:
    """The colour of a plan; an unknown plan gets a stable colour of its own."""
    if plan_id in PLAN_COLORS:
        return PLAN_COLORS[plan_id]
    return _PLAN_FALLBACK[sum(map(ord, plan_id)) % len(_PLAN_FALLBACK)]
