"""Portfolio figures: equity with daily P&L, and signal confidence against outcome."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..figure_memo import by_content
from .stacked import equity_above, row_axes

__all__ = ["LOSS_COLOR", "WIN_COLOR", "confidence_outcome_figure", "equity_pnl_figure"]

WIN_COLOR, LOSS_COLOR = "#2e7d32", "#c62828"
_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}


def _win_loss_bars(daily_pnl: pd.DataFrame) -> list[go.Bar]:
    """daily_pnl: date, daily_pnl. Green bars for gains (and flat days), red for losses: two
    traces of one colour each, overlaid (one date is in one of them). One colour string per
    bar makes Plotly.py check every string (470 ms for a long book); one number per bar on a
    two-colour scale made Plotly.js warn, with a stack trace, for every bar as it drew (1.3 s
    of a page view in Chromium)."""
    won = daily_pnl["daily_pnl"].to_numpy() >= 0
    return [
        go.Bar(
            x=daily_pnl["date"][mask],
            y=daily_pnl["daily_pnl"][mask],
            marker={"color": color},
            name=name,
            **row_axes(2),
        )
        for mask, color, name in ((won, WIN_COLOR, "Daily gain"), (~won, LOSS_COLOR, "Daily loss"))
    ]


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
    line, label = _starting_cash_line(starting_cash)
    money = {"tickformat": "$,.0f"}  # −$50,000, not $−50,000
    return equity_above(
        equity,
        _win_loss_bars(daily_pnl),
        title=title,
        y_axes=[{"title": {"text": "Equity"}, **money}, {"title": {"text": "Daily P&L"}, **money}],
        layout={"shapes": [line], "annotations": [label], "barmode": "overlay"},
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
