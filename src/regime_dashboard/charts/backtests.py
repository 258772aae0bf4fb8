"""Backtest tearsheet figures, and the per-row number formats of metrics tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from ..figure_memo import by_content
from .palette import SERIES_COLORS, regime_color
from .stacked import row_axes, stacked_figure
from .text import plotly_text

__all__ = [
    "PERCENT_METRICS",
    "SPLIT_PERCENTS",
    "cumulative_figure",
    "distribution_figure",
    "growth_figure",
    "metrics_styler",
    "monthly_heatmap",
    "regime_split_figure",
    "rolling_sharpe_figure",
    "yearly_figure",
]

PERCENT_METRICS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "max_drawdown",
    "win_rate",
    "exposure",
)
SPLIT_PERCENTS = ("share_of_time", "total_return", "annualised_return", "hit_rate", "max_drawdown")
STRATEGY_COLOR, BENCHMARK_COLOR = SERIES_COLORS[:2]
_LEGEND = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


@by_content
def monthly_heatmap(monthly: pd.DataFrame) -> go.Figure:
    """monthly: index year, columns 1..12, compounded returns (NaN: no bar that month)."""
    values = monthly.reindex(columns=range(1, 13)).to_numpy(dtype="float64")
    text = [["" if np.isnan(v) else f"{v:.1%}" for v in row] for row in values]
    limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.01
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=_MONTHS,
            y=[str(year) for year in monthly.index],
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmin=-limit,
            zmax=limit,
            colorbar={"tickformat": ".0%"},
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Monthly returns",
        height=120 + 40 * len(monthly),
        yaxis={"autorange": "reversed", "type": "category"},
        margin=_MARGIN,
    )
    return fig


@by_content
def rolling_sharpe_figure(rolling: pd.DataFrame, window: int) -> go.Figure:
    """rolling: date, rolling_sharpe."""
    fig = go.Figure(
        go.Scatter(x=rolling["date"], y=rolling["rolling_sharpe"], mode="lines", name="Sharpe")
    )
    fig.add_hline(y=0, line={"color": "#78909c", "width": 1})
    fig.update_layout(
        title=f"Rolling Sharpe ({window} trading days, annualised)", height=320, margin=_MARGIN
    )
    return fig


@by_content
def growth_figure(growth: pd.DataFrame, start: str = "") -> go.Figure:
    """growth: date, run, growth (value of 1 invested on the common start `start`); each
    run in its own colour (palette.SERIES_COLORS, in the order the runs come)."""
    fig = go.Figure()
    for i, (run, line) in enumerate(growth.groupby("run", sort=False)):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        fig.add_trace(
            go.Scatter(
                x=line["date"],
                y=line["growth"],
                mode="lines",
                name=plotly_text(run),
                line={"color": color, "width": 1.8},
            )
        )
    fig.add_hline(y=1.0, line={"color": "#78909c", "width": 1, "dash": "dot"})
    fig.update_layout(
        title=f"Growth of 1 invested on {start}" if start else "Growth of 1 invested",
        height=420,
        yaxis={"tickformat": ".2f"},
        legend={"orientation": "h", "y": -0.15},
        margin=_MARGIN,
    )
    return fig


def metrics_styler(table: pd.DataFrame, value_columns: Sequence[str]) -> Styler:
    """Format a metrics table (a `metric` column of performance.METRIC_KEYS) row by row:
    percentages for returns and shares, two decimals for ratios, thousands for trades."""
    styler = table.style
    percent = table.index[table["metric"].isin(PERCENT_METRICS)]
    trades = table.index[table["metric"] == "trades"]
    ratios = table.index.difference(percent).difference(trades)
    for rows, fmt in ((percent, "{:.2%}"), (ratios, "{:.2f}"), (trades, "{:,.0f}")):
        styler = styler.format(fmt, subset=pd.IndexSlice[rows, list(value_columns)], na_rep="–")
    return styler


def _colors(names: Sequence[str]) -> dict[str, str]:
    """The strategy in blue, its benchmark in orange (first and second name)."""
    return dict(zip(names, (STRATEGY_COLOR, BENCHMARK_COLOR), strict=False))


@by_content
def cumulative_figure(growth: pd.DataFrame, drawdown: pd.DataFrame, title: str) -> go.Figure:
    """growth: date, series, cumulative (fractions; the strategy first, then its benchmark);
    drawdown: date, drawdown (the strategy's, fractions <= 0). Cumulative returns above,
    the strategy's underwater chart below (its last trace)."""
    colors = _colors(list(growth["series"].unique()))
    lines = [
        go.Scatter(
            x=line["date"],
            y=line["cumulative"],
            name=plotly_text(name),
            mode="lines",
            line={"color": colors.get(str(name)), "width": 1.5},
            **row_axes(1),
        )
        for name, line in growth.groupby("series", sort=False)
    ]
    underwater = go.Scatter(
        x=drawdown["date"],
        y=drawdown["drawdown"],
        name="Drawdown",
        mode="lines",
        fill="tozeroy",
        line={"color": "#c62828", "width": 1},
        showlegend=False,
        **row_axes(2),
    )
    return stacked_figure(
        [*lines, underwater],
        heights=[0.65, 0.35],
        gap=0.05,
        y_axes=[
            {"title": {"text": "Cumulative return"}, "tickformat": ".0%"},
            {"title": {"text": "Underwater"}, "tickformat": ".0%"},
        ],
        layout={
            "title": {"text": plotly_text(title)},
            "height": 520,
            "legend": _LEGEND,
            "hovermode": "x unified",
            "margin": {**_MARGIN, "t": 90},
        },
    )


@by_content
def yearly_figure(yearly: pd.DataFrame, benchmark: str | None) -> go.Figure:
    """yearly: year, strategy, benchmark (compounded returns); bars side by side."""
    names = {"strategy": "Strategy", **({"benchmark": benchmark} if benchmark else {})}
    colors = _colors(list(names.values()))
    fig = go.Figure(
        [
            go.Bar(
                x=yearly["year"].astype(str),
                y=yearly[column],
                name=plotly_text(name),
                marker_color=colors[name],
                text=[f"{v:.1%}" if np.isfinite(v) else "" for v in yearly[column]],
            )
            for column, name in names.items()
        ]
    )
    fig.add_hline(y=0, line={"color": "#78909c", "width": 1})
    fig.update_layout(
        title="Yearly returns",
        barmode="group",
        height=340,
        yaxis={"tickformat": ".0%"},
        xaxis={"type": "category"},
        legend=_LEGEND,
        margin={**_MARGIN, "t": 80},
    )
    return fig


@by_content
def distribution_figure(distribution: pd.DataFrame) -> go.Figure:
    """distribution: series, bin_start, bin_end, count (daily returns, the same bins for
    every series): overlaid bars, the strategy first."""
    colors = _colors(list(distribution["series"].unique()))
    fig = go.Figure()
    for name, bins in distribution.groupby("series", sort=False):
        fig.add_trace(
            go.Bar(
                x=(bins["bin_start"] + bins["bin_end"]) / 2,
                y=bins["count"],
                width=bins["bin_end"] - bins["bin_start"],
                name=plotly_text(name),
                marker_color=colors.get(str(name)),
                opacity=0.6,
                customdata=np.column_stack([bins["bin_start"], bins["bin_end"]]),
                hovertemplate="%{customdata[0]:.2%} to %{customdata[1]:.2%}: %{y} days",
            )
        )
    fig.update_layout(
        title="Distribution of daily returns",
        barmode="overlay",
        height=340,
        xaxis={"tickformat": ".1%", "title": {"text": "Daily return"}},
        yaxis={"title": {"text": "Days"}},
        legend=_LEGEND,
        margin={**_MARGIN, "t": 80},
    )
    return fig


@by_content
def regime_split_figure(table: pd.DataFrame) -> go.Figure:
    """table: regime_split.SPLIT_COLUMNS (the "All days" row left out by the caller):
    annualised return per regime, one colour per regime, share of time in the labels."""
    fig = go.Figure(
        go.Bar(
            x=table["regime"].map(plotly_text),
            y=table["annualised_return"],
            marker_color=[regime_color(str(r)) for r in table["regime"]],
            text=[f"{v:.0%} of days" for v in table["share_of_time"]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%} a year (%{text})<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#78909c", "width": 1})
    fig.update_layout(
        title="Annualised return by regime",
        height=340,
        yaxis={"tickformat": ".0%"},
        xaxis={"type": "category"},
        margin=_MARGIN,
    )
    return fig
