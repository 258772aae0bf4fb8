"""Run-operations figures: runs per day by kind and by status, the daily failure rate, and
queue / run time percentiles per kind."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..figure_memo import by_content

__all__ = ["KIND_COLORS", "RUN_STATUS_COLORS", "runs_figure", "timings_figure"]

KIND_COLORS = {
    "backtest": "#1e88e5",
    "paper_trade": "#43a047",
    "engine_release": "#8e24aa",
    "agent": "#fb8c00",
    "training": "#6d4c41",
    "import": "#00acc1",
}
RUN_STATUS_COLORS = {
    "succeeded": "#2e7d32",
    "failed": "#c62828",
    "canceled": "#9e9e9e",
    "processing": "#42a5f5",
    "queued": "#ffca28",
}


def _stacked(fig: go.Figure, rows: pd.DataFrame, column: str, colors: dict, row: int) -> None:
    """Row `row`'s bars, one trace per value of `column` in `colors` order, in that row's
    own legend (legend, legend2)."""
    known = [v for v in colors if v in set(rows[column])]
    for value in known + sorted(set(rows[column]) - set(known)):
        part = rows[rows[column] == value]
        fig.add_bar(
            x=part["day"],
            y=part["runs"],
            name=str(value).replace("_", " ").capitalize(),
            marker_color=colors.get(value, "#607d8b"),
            legend="legend" if row == 1 else f"legend{row}",
            row=row,
            col=1,
        )


@by_content
def runs_figure(by_kind: pd.DataFrame, by_status: pd.DataFrame, daily: pd.DataFrame) -> go.Figure:
    """by_kind: day, kind, runs; by_status: day, status, runs; daily: day, failure_rate.
    Three rows: runs by kind, runs by status, failure rate."""
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.4, 0.4, 0.2],
        vertical_spacing=0.06,
        subplot_titles=("Runs per day by kind", "Runs per day by status", "Failure rate"),
    )
    _stacked(fig, by_kind, "kind", KIND_COLORS, 1)
    _stacked(fig, by_status, "status", RUN_STATUS_COLORS, 2)
    fig.add_scatter(
        x=daily["day"],
        y=daily["failure_rate"],
        name="Failure rate",
        mode="lines",
        line={"color": "#c62828"},
        showlegend=False,
        row=3,
        col=1,
    )
    fig.update_yaxes(tickformat=".0%", nticks=4, row=3, col=1)
    fig.update_yaxes(nticks=5, row=1, col=1)
    fig.update_yaxes(nticks=5, row=2, col=1)
    side = {"x": 1.01, "xanchor": "left", "yanchor": "top", "tracegroupgap": 2}
    fig.update_layout(
        barmode="stack",
        height=760,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        # below the top right corner, where a phone shows the (upright) modebar
        legend={**side, "y": 0.8, "title": {"text": "Kind"}},
        legend2={**side, "y": 0.5, "title": {"text": "Status"}},
    )
    return fig


@by_content
def timings_figure(timings: pd.DataFrame) -> go.Figure:
    """timings: kind, queue_p50_s, queue_p95_s, run_p50_s, run_p95_s (seconds). Queue time
    above run time, one horizontal bar pair per kind: the kinds' names stand on the y axis,
    where they do not overlap at any width."""
    fig = make_subplots(
        rows=2, cols=1, subplot_titles=("Queue time (s)", "Run time (s)"), vertical_spacing=0.14
    )
    kinds = timings["kind"].str.replace("_", " ").str.capitalize()
    for row, prefix in enumerate(("queue", "run"), start=1):
        for stat, color in (("p50", "#64b5f6"), ("p95", "#1565c0")):
            fig.add_bar(
                y=kinds,
                x=timings[f"{prefix}_{stat}_s"],
                orientation="h",
                name=stat,
                marker_color=color,
                showlegend=row == 1,
                row=row,
                col=1,
            )
    steps = [m * 10.0**k for k in range(-1, 6) for m in (1, 2, 5)]
    fig.update_xaxes(type="log", tickvals=steps, tickformat="~s", ticksuffix=" s")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        barmode="group",
        height=220 + 2 * 40 * len(timings),
        legend={"orientation": "h", "x": 0, "y": -0.06, "yanchor": "top"},  # not under the modebar
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        title="Queue and run time percentiles per kind",
    )
    return fig
