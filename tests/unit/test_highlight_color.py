"""The Releases chart's "Differ" strip: a neutral highlight, not Bear's red nor close to any
regime's colour, and readable on the light and the dark theme."""

from __future__ import annotations

from regime_dashboard.charts.palette import _FALLBACK, HIGHLIGHT_COLOR, REGIME_COLORS
from regime_dashboard.charts.releases import DIFFER_COLOR


def _rgb(color: str) -> tuple[int, ...]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def _luminance(color: str) -> float:
    """WCAG relative luminance."""
    channels = [c / 255 for c in _rgb(color)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_differ_strip_is_the_neutral_highlight() -> None:
    assert DIFFER_COLOR == HIGHLIGHT_COLOR != REGIME_COLORS["bear"]


def test_the_highlight_is_no_regimes_colour() -> None:
    for color in [*REGIME_COLORS.values(), *_FALLBACK]:
        distance = sum(
            (a - b) ** 2 for a, b in zip(_rgb(HIGHLIGHT_COLOR), _rgb(color), strict=True)
        )
        assert distance**0.5 > 50, color


def test_the_highlight_reads_on_both_themes() -> None:
    assert _contrast(HIGHLIGHT_COLOR, "#ffffff") >= 3  # Streamlit's light background
    assert _contrast(HIGHLIGHT_COLOR, "#0e1117") >= 3  # and its dark one
