"""Usage-against-limit figures: the share of the limit used per tenant and metric, and one
tenant's running totals against its limits with the month-end projection."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..figure_memo import by_content
from ..metered import metric_label
from .text import plotly_text, plotly_texts

__all__ = ["STATE_COLORS", "tenant_usage_figure", "usage_share_figure"]

STATE_COLORS = {"over": "#c62828", "near": "#ffa000", "ok": "#2e7d32", "unlimited": "#90a4ae"}


BLOCKED_SHARE = 1.25  # where a blocked pair's bar ends (a zero limit has no share)


@by_content
def usage_share_figure(rows: pd.DataFrame, top: int = 30) -> go.Figure:
    """rows: tenant_id, tenant_name, metric, limit_value, pct_used, state (worst first;
    unlimited rows are skipped). Horizontal bars of the `top` highest shares with the
    80 % and 100 % lines labelled; a zero limit is drawn as a "blocked" bar (any use of it
    is over). Each bar carries its tenant_id (customdata) for a click to select."""
    limited = rows[rows["pct_used"].notna()].head(top)
    labels = plotly_texts(limited["tenant_name"]) + " · " + limited["metric"].map(metric_label)
    blocked = limited["limit_value"] == 0
    shares = limited["pct_used"].mask(blocked, BLOCKED_SHARE).clip(upper=5.0)
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=labels,
            orientation="h",
            marker_color=[STATE_COLORS[s] for s in limited["state"]],
            text=["blocked (limit 0)" if b else "" for b in blocked],
            customdata=limited["tenant_id"].astype(str),
            hovertemplate="%{y}: %{x:.0%} of the limit<extra></extra>",
        )
    )
    # each line's label left of it at the bottom, where the bars (worst first) are
    # shortest, one above the other: they never overlap however narrow the chart
    for share, dash, label, shift in (
        (0.8, "dot", "80 % near", 0),
        (1.0, "dash", "100 % limit", 18),
    ):
        fig.add_vline(
            x=share,
            line={"color": "#9e9e9e", "dash": dash},
            annotation_text=label,
            annotation_position="bottom left",
            annotation={"yshift": shift, "font_size": 11},
        )
    fig.update_xaxes(tickformat=".0%", title_text="Share of the monthly limit used")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title={  # short first line: it fits a phone; the details on a smaller second line
            "text": "Highest usage against limits<br>"
            f"<span style='font-size:12px'>top {len(limited)} · click a bar for its days</span>"
        },
        height=max(300, 22 * len(limited) + 140),
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
    )
    return fig


# the running total and its projection: (frame, y column, name, mode, line, legend group)
_RUNNING_LINES = (
    ("days", "cumulative", "Month to date", "lines+markers", {"color": "#1e88e5"}, "cum"),
    ("line", "projected", "Projection", "lines", {"color": "#1e88e5", "dash": "dot"}, "proj"),
)


def _add_metric_row(
    fig: go.Figure, row: int, days: pd.DataFrame, line: pd.DataFrame, limit: float
) -> None:
    """One metric's row: daily bars, the running total, its projection and the limit (none
    drawn for NaN, unlimited). The legend shows the traces of the first row only."""
    place = {"row": row, "col": 1, "showlegend": row == 1}
    fig.add_bar(
        x=days["day"],
        y=days["quantity"],
        name="Daily",
        marker_color="#b0bec5",
        legendgroup="daily",
        **place,
    )
    frames = {"days": days, "line": line}
    for frame, column, name, mode, style, group in _RUNNING_LINES:
        shown = frames[frame]
        fig.add_scatter(
            x=shown["day"], y=shown[column], name=name, mode=mode, line=style,
            legendgroup=group, **place,
        )  # fmt: skip
    if pd.notna(limit):
        fig.add_hline(
            y=float(limit),
            line={"color": "#c62828", "dash": "dash"},
            annotation_text=f"limit {limit:,.0f}",
            row=row,
            col=1,
        )


@by_content
def tenant_usage_figure(
    daily: pd.DataFrame, limits: pd.DataFrame, projection: pd.DataFrame, title: str
) -> go.Figure:
    """daily: day, metric, quantity, cumulative; limits: metric, limit_value (NaN =
    unlimited); projection: metric, day, projected. One row per metric: daily bars, the
    running total, the limit and the straight-line projection to the month end."""
    metrics = list(limits["metric"])
    fig = make_subplots(
        rows=max(len(metrics), 1),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[metric_label(m) for m in metrics],
        vertical_spacing=0.08,
    )
    for row, metric in enumerate(metrics, start=1):
        limit = limits.loc[limits["metric"] == metric, "limit_value"].iloc[0]
        _add_metric_row(
            fig,
            row,
            daily[daily["metric"] == metric],
            projection[projection["metric"] == metric],
            limit,
        )
    fig.update_layout(
        title=plotly_text(title),
        height=260 * max(len(metrics), 1) + 80,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={"orientation": "h"},
    )
    return fig
