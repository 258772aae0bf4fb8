"""The portfolio's equity and daily P&L figure: gains green, losses red, one colour per
trace (no per-bar colours, no numbers on a colour scale: Plotly.js warned for every bar),
money ticks as −$50,000; the analysts' charts' theme-safe colours (panel lines, compared
runs), the confidence axis's fixed quarters and the upright modebar."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from regime_dashboard.charts import use_chart_defaults
from regime_dashboard.charts.backtests import growth_figure
from regime_dashboard.charts.palette import ARR_COLOR, PANEL_LINE_COLOR, SERIES_COLORS
from regime_dashboard.charts.portfolio import LOSS_COLOR, WIN_COLOR, equity_pnl_figure
from regime_dashboard.charts.regimes import panels_figure, regime_price_figure


def _days(n: int) -> list[dt.date]:
    return [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(n)]


def test_gains_and_flat_days_are_green_bars_and_losses_red() -> None:
    days = _days(4)
    daily = pd.DataFrame({"date": days, "daily_pnl": [5.0, -3.0, 0.0, -1.0]})
    equity = pd.DataFrame({"date": days, "equity": [105.0, 102.0, 102.0, 101.0]})
    figure = equity_pnl_figure(equity, daily, 100.0, "Book")
    bars = {t.name: t for t in figure.data if t.type == "bar"}
    assert set(bars) == {"Daily gain", "Daily loss"}
    gain, loss = bars["Daily gain"], bars["Daily loss"]
    assert (gain.marker.color, loss.marker.color) == (WIN_COLOR, LOSS_COLOR)
    assert list(gain.x) == [days[0], days[2]] and list(gain.y) == [5.0, 0.0]
    assert list(loss.x) == [days[1], days[3]] and list(loss.y) == [-3.0, -1.0]
    assert figure.layout.barmode == "overlay"  # one bar per date, at its date
    assert figure.data[0].name == "Equity" and list(figure.data[0].y) == [105, 102, 102, 101]


def test_money_axes_put_the_minus_before_the_dollar() -> None:
    """d3's "$,.0f" reads −$50,000; a "$" tickprefix would read $−50,000."""
    days = _days(2)
    daily = pd.DataFrame({"date": days, "daily_pnl": [-50_000.0, 10.0]})
    equity = pd.DataFrame({"date": days, "equity": [50_000.0, 50_010.0]})
    figure = equity_pnl_figure(equity, daily, 100_000.0, "Book")
    for axis in (figure.layout.yaxis, figure.layout.yaxis2):
        assert axis.tickformat == "$,.0f" and axis.tickprefix is None


def _contrast(color: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_color: str) -> float:
        channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    dark, light = sorted((luminance(color), luminance(background)))
    return (light + 0.05) / (dark + 0.05)


def test_panel_lines_read_on_light_and_dark_and_confidence_ticks_are_quarters() -> None:
    days = pd.to_datetime(_days(3))
    spells = pd.DataFrame({"regime": ["bull"], "start": [days[0]], "end": [days[-1]]})
    panels = {f: pd.DataFrame({"date": days, f: [0.1, 0.2, 0.3]}) for f in ("lq", "risk_level")}
    figure = panels_figure(panels, spells, {"Risk": ("risk_level",), "Components": ("lq",)})
    assert {t.line.color for t in figure.data} == {PANEL_LINE_COLOR}
    for color in (PANEL_LINE_COLOR, ARR_COLOR):
        assert min(_contrast(color, "#ffffff"), _contrast(color, "#0e1117")) >= 3.0, color
    bars = pd.DataFrame(
        {"date": days, "open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10.0}
    )
    regimes = pd.DataFrame(
        {"date": days, "regime": "bull", "confidence": [0.06, 0.5, 0.85], "conviction": "low"}
    )
    confidence = regimes[["date", "confidence"]]
    price = regime_price_figure(bars, regimes, spells, confidence, "BTCUSD")
    assert list(price.layout.yaxis3.tickvals) == [0, 0.25, 0.5, 0.75, 1]
    assert price.layout.yaxis3.tickformat == ".0%"


def test_compared_runs_get_distinct_colours() -> None:
    days = pd.to_datetime(_days(2))
    growth = pd.DataFrame(
        {"date": list(days) * 3, "run": ["a"] * 2 + ["b"] * 2 + ["c"] * 2, "growth": 1.0}
    )
    colors = [t.line.color for t in growth_figure(growth, "2026-11-02").data if t.name != ""]
    assert colors == list(SERIES_COLORS[:3])
    assert len(set(SERIES_COLORS)) == len(SERIES_COLORS)
    for color in SERIES_COLORS:
        assert min(_contrast(color, "#ffffff"), _contrast(color, "#0e1117")) >= 2.3, color


def test_every_figure_gets_the_upright_modebar() -> None:
    """The app's chart defaults (charts/__init__) reach a figure built with no layout, on
    top of Streamlit's theme (Streamlit sets its template when imported, before the app's
    pages import the charts; here another test may have imported it later)."""
    import plotly.io as pio
    import streamlit  # noqa: F401  (sets Streamlit's template, as in the app)

    use_chart_defaults()
    assert pio.templates.default.split("+") == ["streamlit", "regime_dashboard"]
    assert go.Figure().layout.template.layout.modebar.orientation == "v"
    use_chart_defaults()  # idempotent
    assert pio.templates.default == "streamlit+regime_dashboard"
