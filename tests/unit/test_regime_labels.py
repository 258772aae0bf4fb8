"""Regime and conviction labels as the release stored them: named, coloured and described
the same way on every chart and page."""

from __future__ import annotations

import pandas as pd
import pytest

from regime_dashboard.charts.palette import REGIME_COLORS, regime_color, regime_colors
from regime_dashboard.charts.regimes import regime_price_figure, transition_figure
from regime_dashboard.charts.releases import release_lanes_figure
from regime_dashboard.labels import regime_label
from regime_dashboard.services.regimes import describe_labels


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("risk_off", "Risk off"),
        ("risk_on", "Risk on"),
        ("bull", "Bull"),
        ("high", "High"),
        ("VIX_spike", "VIX spike"),
        ("High-Vol", "High-Vol"),
        ("  late__cycle ", "Late cycle"),
        (None, "–"),
        (float("nan"), "–"),
        ("   ", "–"),
    ],
)
def test_labels_are_humanised_without_mangling(stored: object, shown: str) -> None:
    assert regime_label(stored) == shown


def test_known_regimes_keep_their_colours_and_unknown_ones_differ() -> None:
    colors = regime_colors(["bull", "risk_on", "risk_off", "crisis"])
    assert colors["bull"] == REGIME_COLORS["bull"] and colors["crisis"] == REGIME_COLORS["crisis"]
    assert len(set(colors.values())) == 4
    assert not set(REGIME_COLORS.values()) & {colors["risk_on"], colors["risk_off"]}
    # the same labels get the same colours, whatever their order
    assert regime_colors(["risk_off", "risk_on"]) == {
        "risk_off": colors["risk_off"],
        "risk_on": colors["risk_on"],
    }
    assert regime_color("risk_on") == regime_color("risk_on")


def test_ten_unknown_labels_get_ten_colours() -> None:
    labels = [f"state_{i}" for i in range(10)]
    assert len(set(regime_colors(labels).values())) == 10


def _risk_release() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    dates = pd.date_range("2024-01-01", periods=4, freq="D")
    regimes = pd.DataFrame(
        {
            "date": dates,
            "regime": ["risk_on", "risk_on", "risk_off", "risk_off"],
            "confidence": [0.9, 0.7, 0.6, 0.95],
            "conviction": ["strong", "weak", "weak", "strong"],
        }
    )
    spells = pd.DataFrame(
        {
            "regime": ["risk_on", "risk_off"],
            "start": dates[[0, 2]],
            "end": dates[[1, 3]],
            "days": [2, 2],
        }
    )
    bars = pd.DataFrame(
        {
            "date": dates,
            "open": 1.0,
            "high": 2.0,
            "low": 0.5,
            "close": 1.5,
            "volume": 10.0,
        }
    )
    return bars, regimes, spells


def test_price_chart_names_and_colours_the_stored_labels() -> None:
    bars, regimes, spells = _risk_release()
    fig = regime_price_figure(bars, regimes, spells, regimes[["date", "confidence"]], "t")
    legend = {t.name: t.marker.color for t in fig.data if getattr(t, "mode", "") == "markers"}
    colors = regime_colors(["risk_on", "risk_off"])
    assert legend == {"Risk off": colors["risk_off"], "Risk on": colors["risk_on"]}
    assert [s.fillcolor for s in fig.layout.shapes] == [colors["risk_on"], colors["risk_off"]]
    assert fig.data[0].text[2] == "regime Risk off · confidence 60% · conviction Weak"


def test_transition_axes_use_the_same_names() -> None:
    matrix = pd.DataFrame(
        [[0.5, 0.5], [0.0, 1.0]], index=["risk_off", "risk_on"], columns=["risk_off", "risk_on"]
    )
    heatmap = transition_figure(matrix).data[0]
    assert list(heatmap.x) == ["Risk off", "Risk on"] and list(heatmap.y) == list(heatmap.x)


def test_release_lanes_draw_labels_outside_the_four_known_regimes() -> None:
    _, _, spells = _risk_release()
    differing = pd.DataFrame({"start": [], "end": []}, dtype="datetime64[ns]")
    fig = release_lanes_figure(spells, spells.iloc[:1], differing, "v1", "v2")
    drawn = {t.name: list(t.y) for t in fig.data if len(t.y)}
    assert drawn == {"Risk off": ["v1"], "Risk on": ["v1", "v2"]}


def test_the_description_names_the_release_labels_and_its_own_conviction_buckets() -> None:
    labels = pd.DataFrame(
        {
            "field": ["regime", "regime", "conviction", "conviction", "conviction"],
            "label": ["risk_on", "risk_off", "weak", "strong", None],
            "days": [300, 100, 150, 240, 10],
            "min_confidence": [0.5, 0.4, 0.4, 0.7, 0.5],
            "max_confidence": [0.99, 0.9, 0.7, 0.99, 0.55],
        }
    )
    regime, conviction = describe_labels(labels)
    assert regime.endswith("**Risk on** (300 d), **Risk off** (100 d).")
    assert "bull" not in regime.lower()
    assert conviction.endswith(
        "**Strong** on days with confidence 70%–99%; "
        "**Weak** on days with confidence 40%–70%; none on 10 d."
    )
    assert "80" not in conviction
    empty = describe_labels(labels.iloc[:0])
    assert empty[0].endswith("none.") and empty[1].endswith("this release stores none.")


def test_the_description_escapes_labels_with_the_given_function() -> None:
    labels = pd.DataFrame(
        {
            "field": ["regime"],
            "label": ["*x*"],
            "days": [1],
            "min_confidence": [0.5],
            "max_confidence": [0.5],
        }
    )
    assert "**\\*x\\***" in describe_labels(labels, lambda t: t.replace("*", "\\*"))[0]
