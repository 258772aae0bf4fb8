"""Portfolio figures: equity with daily P&L, and signal confidence against outcome."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..figure_memo import by_content
from .stacked import equity_above, row_axes

__all__ = ["LOSS_COLOR", "WIN_COLOR", "confidence_outcome_figure", "equity_pnl_figure"]

WIN_COLOR, LOSS_COLOR = "#2e7d32", "#c62828"
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


def _win_loss_marker(pnl: pd.Series) -> dict:
    """Green bars for gains (and flat days), red for losses: one number per bar on a
    two-colour scale, which Plotly checks far faster than one colour string per bar."""
    won = (pnl.to_numpy() >= 0).astype("int8")
    return {
        "color": won,
        "cmin": 0,
        "cmax": 1,
        "colorscale": [[0, LOSS_COLOR], [0.5, LOSS_COLOR], [0.5, WIN_COLOR], [1, WIN_COLOR]],
    }


def _starting_cash_line(cash: float) -> tuple[dict, dict]:
    """A dotted line across the equity row at the starting cash, and its label."""
    line = {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": cash,
        "y1": cash,
        "line": {"dash": "dot", "color": "#78909c"},
    }
    label = {
        "text": "starting cash",
        "xref": "x domain",
        "x": 1,
        "xanchor": "right",
        "yref": "y",
        "y": cash,
        "yanchor": "bottom",
        "showarrow": False,
    }
    return line, label


@by_content
def equity_pnl_figure(
    equity: pd.DataFrame, daily_pnl: pd.DataFrame, starting_cash: float, title: str
) -> go.Figure:
    """equity: date, equity; daily_pnl: date, daily_pnl (both already thinned)."""
    bars = go.Bar(
        x=daily_pnl["date"],
        y=daily_pnl["daily_pnl"],
        marker=_win_loss_marker(daily_pnl["daily_pnl"]),
        name="Daily P&L",
        **row_axes(2),
    )
    line, label = _starting_cash_line(starting_cash)
    money = {"tickformat": ",.0f", "tickprefix": "$"}
    return equity_above(
        equity,
        bars,
        title=title,
        y_axes=[{"title": {"text": "Equity"}, **money}, {"title": {"text": "Daily P&L"}, **money}],
        layout={"shapes": [line], "annotations": [label]},
    )


@by_content
def confidence_outcome_figure(outcomes: pd.DataFrame, horizon: int) -> go.Figure:
    """outcomes: confidence_score, outcome_return, win (True/False)."""
    fig = go.Figure()
    for won, name, color in ((True, "Win", WIN_COLOR), (False, "Loss or flat", LOSS_COLOR)):
        part = outcomes[outcomes["win"].fillna(False).astype(bool) == won]
        fig.add_trace(
            go.Scatter(
                x=part["confidence_score"],
                y=part["outcome_return"],
                mode="markers",
                name=name,
                marker={"color": color, "size": 6, "opacity": 0.7},
                hovertemplate="confidence %{x:.0%} → %{y:.2%}<extra></extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#78909c", "width": 1})
    fig.update_layout(
        title=f"Signal confidence against outcome ({horizon} trading days later)",
        xaxis={"title": "Signal confidence", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": "Outcome (return)", "tickformat": ".1%"},
        height=420,
        margin=_MARGIN,
    )
    return fig
