"""Portfolio figures: equity with daily P&L, and signal confidence against outcome."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..memo import by_content

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


@by_content
def equity_pnl_figure(
    equity: pd.DataFrame, daily_pnl: pd.DataFrame, starting_cash: float, title: str
) -> go.Figure:
    """equity: date, equity; daily_pnl: date, daily_pnl (both already thinned)."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.05
    )
    fig.add_trace(
        go.Scatter(x=equity["date"], y=equity["equity"], mode="lines", name="Equity"),
        row=1,
        col=1,
    )
    fig.add_hline(
        y=starting_cash,
        line={"dash": "dot", "color": "#78909c"},
        row=1,
        col=1,
        annotation_text="starting cash",
    )
    fig.add_trace(
        go.Bar(
            x=daily_pnl["date"],
            y=daily_pnl["daily_pnl"],
            marker=_win_loss_marker(daily_pnl["daily_pnl"]),
            name="Daily P&L",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(title=title, height=520, showlegend=False, margin=_MARGIN)
    fig.update_yaxes(title_text="Equity", tickformat=",.0f", tickprefix="$", row=1, col=1)
    fig.update_yaxes(title_text="Daily P&L", tickformat=",.0f", tickprefix="$", row=2, col=1)
    return fig


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
