"""Backtest tearsheet figures, and the per-row number formats of metrics tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from ..figure_memo import by_content
from .stacked import equity_above, row_axes

__all__ = [
    "PERCENT_METRICS",
    "equity_figure",
    "growth_figure",
    "metrics_styler",
    "monthly_heatmap",
    "rolling_sharpe_figure",
]

PERCENT_METRICS = (
    "total_return",
    "cagr",
    "annual_volatility",
    "max_drawdown",
    "win_rate",
    "exposure",
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


@by_content
def equity_figure(equity: pd.DataFrame, drawdown: pd.DataFrame, title: str) -> go.Figure:
    """equity: date, equity; drawdown: date, drawdown (fractions <= 0). Equity curve above,
    underwater chart below."""
    underwater = go.Scatter(
        x=drawdown["date"],
        y=drawdown["drawdown"],
        name="Drawdown",
        mode="lines",
        fill="tozeroy",
        line={"color": "#c62828", "width": 1},
        **row_axes(2),
    )
    return equity_above(
        equity,
        underwater,
        title=title,
        y_axes=[
            {"title": {"text": "Equity"}, "tickformat": ",.0f"},
            {"title": {"text": "Underwater"}, "tickformat": ".0%"},
        ],
    )


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
def growth_figure(growth: pd.DataFrame) -> go.Figure:
    """growth: date, run, growth (value of 1 invested at each run's first equity point)."""
    fig = go.Figure()
    for run, line in growth.groupby("run", sort=False):
        fig.add_trace(go.Scatter(x=line["date"], y=line["growth"], mode="lines", name=str(run)))
    fig.update_layout(
        title="Growth of 1 invested",
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
