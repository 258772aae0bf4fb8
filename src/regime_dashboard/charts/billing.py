"""Subscription, revenue and margin figures. Plans take PLAN_COLORS; statuses and MRR
movements have one colour each, here, used on every page."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..figure_memo import by_content
from .palette import ARR_COLOR, NET_LINE_COLOR, PLAN_COLORS, plan_color
from .text import plotly_texts

__all__ = [
    "MOVEMENT_COLORS",
    "STATUS_COLORS",
    "margin_figure",
    "movements_figure",
    "mrr_figure",
    "nice_ticks",
    "payments_figure",
    "plan_counts_figure",
    "plan_mrr_figure",
    "status_figure",
    "waterfall_figure",
]

STATUS_COLORS = {
    "active": "#2e7d32",
    "trialing": "#42a5f5",
    "past_due": "#ffa000",
    "canceled": "#c62828",
}
MOVEMENT_COLORS = {
    "new": "#2e7d32",
    "expansion": "#66bb6a",
    "reactivation": "#26a69a",
    "contraction": "#ff7043",
    "churn": "#c62828",
}
_MOVEMENT_NAMES = ("new", "expansion", "reactivation", "contraction", "churn")
# the title at the very top, the legend above the plot under it (beneath the plot, it
# covers the date labels on a phone): room for three rows of legend on a phone
_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 100, "b": 10},
    "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font_size": 12},
}


def _layout(fig: go.Figure, title: str, **extra: object) -> go.Figure:
    heading = {"text": title, "x": 0.01, "xref": "container", "y": 0.99, "yanchor": "top"}
    fig.update_layout(title=heading, **_LAYOUT, **extra)
    return fig


def _per_plan(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(plan_id, its rows) for each plan, in the palette's plan order, then by name."""
    ladder = list(PLAN_COLORS)
    plans = sorted(
        frame["plan_id"].unique(),
        key=lambda p: (ladder.index(p) if p in ladder else len(ladder), p),
    )
    return [(str(p), frame[frame["plan_id"] == p]) for p in plans]


@by_content
def status_figure(statuses: pd.DataFrame) -> go.Figure:
    """statuses: month, active, past_due, trialing, canceled_in_month. Top: live
    subscriptions stacked by status at each month end; below, on its own axis, the
    subscriptions canceled in the month (a count, drawn upwards)."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.7, 0.3],
        vertical_spacing=0.12,
        subplot_titles=("", "Canceled in the month"),  # the legend heads the top row
    )
    for status in ("active", "past_due", "trialing"):
        fig.add_bar(
            x=statuses["month"],
            y=statuses[status],
            name=status.replace("_", " ").title(),
            marker_color=STATUS_COLORS[status],
            row=1,
            col=1,
        )
    fig.add_bar(
        x=statuses["month"],
        y=statuses["canceled_in_month"],
        name="Canceled in month",
        marker_color=STATUS_COLORS["canceled"],
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="Live at month end", row=1, col=1)
    fig.update_yaxes(title_text="Canceled", rangemode="tozero", row=2, col=1)
    return _layout(fig, "Subscriptions by status", barmode="stack", height=460)


@by_content
def plan_counts_figure(plans: pd.DataFrame) -> go.Figure:
    """plans: month, plan_id, subscriptions (live, at month end)."""
    fig = go.Figure()
    for plan, rows in _per_plan(plans):
        fig.add_bar(
            x=rows["month"], y=rows["subscriptions"], name=str(plan), marker_color=plan_color(plan)
        )
    return _layout(fig, "Live subscriptions by plan at month end", barmode="stack")


@by_content
def mrr_figure(movements: pd.DataFrame) -> go.Figure:
    """movements: month, closing_mrr, arr (USD). MRR bars on the left axis, ARR points on
    the right one, whose scale is exactly 12 × the left's, so each ARR point sits on its
    month's bar top; both with round ticks (nice_ticks)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=movements["month"], y=movements["closing_mrr"], name="MRR", marker_color="#1e88e5"
    )
    fig.add_scatter(
        x=movements["month"],
        y=movements["arr"],
        name="ARR",
        mode="lines+markers",
        line={"color": ARR_COLOR, "width": 2.5},
        secondary_y=True,
    )
    top, step = nice_ticks(float(movements["closing_mrr"].max()) if len(movements) else 0.0)
    axis = {"tickformat": "$~s", "rangemode": "tozero", "showgrid": True}
    fig.update_yaxes(title_text="MRR (USD)", range=[0, top], dtick=step, secondary_y=False, **axis)
    fig.update_yaxes(
        title_text="ARR = 12 × MRR (USD)",
        range=[0, 12 * top],
        dtick=12 * step,
        secondary_y=True,
        **{**axis, "showgrid": False},
    )
    return _layout(fig, "MRR and ARR at month end")


def nice_ticks(peak: float, ticks: int = 5) -> tuple[float, float]:
    """(axis top, tick step) for values from 0 to `peak`: a step of 1, 2, 2.5 or 5 × a
    power of ten, about `ticks` steps, the top a whole number of steps at or above peak."""
    if peak <= 0 or not math.isfinite(peak):
        return 1.0, 0.2
    raw = peak / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step * math.ceil(peak / step - 1e-9), step


@by_content
def waterfall_figure(movements: pd.DataFrame) -> go.Figure:
    """movements (USD, one row per month): from the first month's opening MRR through the
    period's summed movements to the last month's closing MRR."""
    steps = [("Opening MRR", "absolute", float(movements["opening_mrr"].iloc[0]))]
    steps += [(m.title(), "relative", float(movements[m].sum())) for m in _MOVEMENT_NAMES]
    steps.append(("Closing MRR", "total", float(movements["closing_mrr"].iloc[-1])))
    names, measures, amounts = zip(*steps, strict=True)
    fig = go.Figure(
        go.Waterfall(
            x=list(names),
            measure=list(measures),
            y=list(amounts),
            text=[f"{'−' if v < 0 else ''}${abs(v):,.0f}" for v in amounts],
            increasing={"marker": {"color": MOVEMENT_COLORS["new"]}},
            decreasing={"marker": {"color": MOVEMENT_COLORS["churn"]}},
            totals={"marker": {"color": "#1e88e5"}},
        )
    )
    fig.update_yaxes(tickformat="$~s")
    return _layout(fig, "MRR waterfall over the period")


@by_content
def movements_figure(movements: pd.DataFrame) -> go.Figure:
    """movements (USD): month, the five movements (contraction and churn negative), net."""
    fig = go.Figure()
    for name in _MOVEMENT_NAMES:
        fig.add_bar(
            x=movements["month"],
            y=movements[name],
            name=name.title(),
            marker_color=MOVEMENT_COLORS[name],
            customdata=[name] * len(movements),
            hovertemplate="%{x|%b %Y} " + name + ": $%{y:,.2f}<extra></extra>",
        )
    fig.add_scatter(
        x=movements["month"],
        y=movements["net"],
        name="Net",
        mode="lines+markers",
        line={"color": NET_LINE_COLOR, "width": 3},
        marker={"color": NET_LINE_COLOR, "size": 8},
    )
    fig.update_yaxes(tickformat="$~s")
    return _layout(
        fig,
        "MRR movements (click a bar)",
        barmode="relative",  # fits a phone's width
    )


@by_content
def plan_mrr_figure(by_plan: pd.DataFrame) -> go.Figure:
    """by_plan: month, plan_id, mrr (USD)."""
    fig = go.Figure()
    for plan, rows in _per_plan(by_plan):
        fig.add_scatter(
            x=rows["month"],
            y=rows["mrr"],
            name=str(plan),
            stackgroup="mrr",
            mode="lines",
            line={"color": plan_color(plan)},
        )
    fig.update_yaxes(tickformat="$,.0f")
    return _layout(fig, "MRR by plan at month end")


@by_content
def payments_figure(payments: pd.DataFrame) -> go.Figure:
    """payments: month, billed, collected, failed (USD, excluding tax)."""
    fig = go.Figure()
    colors = {"billed": "#90a4ae", "collected": "#2e7d32", "failed": "#c62828"}
    for name, color in colors.items():
        fig.add_bar(x=payments["month"], y=payments[name], name=name.title(), marker_color=color)
    fig.update_yaxes(tickformat="$,.0f")
    return _layout(fig, "Payments billed, collected and failed", barmode="group")


def _log_floor(values: pd.Series) -> float:
    """Where a zero goes on a log axis: a power of ten below the smallest positive value."""
    positive = values[values > 0]
    low = float(positive.min()) if len(positive) else 1.0
    return 10 ** math.floor(math.log10(low) - 0.5)


@by_content
def margin_figure(tenants: pd.DataFrame) -> go.Figure:
    """tenants: tenant_name, revenue_usd, cost_usd, margin_usd. One point per tenant on
    log axes (costs of a few dollars beside revenues of thousands); a tenant with no
    revenue (or no cost) sits on the bottom (left) edge, said in its hover text. Below the
    diagonal a tenant costs more than it pays."""
    floor = min(_log_floor(tenants["revenue_usd"]), _log_floor(tenants["cost_usd"]))
    top = float(max(tenants["revenue_usd"].max(), tenants["cost_usd"].max(), 1.0)) * 2
    fig = go.Figure()
    fig.add_scatter(
        x=[floor, top],
        y=[floor, top],
        mode="lines",
        name="Cost = revenue",
        line={"color": "#9e9e9e", "dash": "dash"},
    )
    loss = tenants["margin_usd"] < 0
    for label, rows, color in (("Profitable", ~loss, "#2e7d32"), ("Loss", loss, "#c62828")):
        part = tenants[rows]
        fig.add_scatter(
            x=part["cost_usd"].clip(lower=floor),
            y=part["revenue_usd"].clip(lower=floor),
            mode="markers",
            name=label,
            text=plotly_texts(part["tenant_name"]),
            customdata=part[["cost_usd", "revenue_usd"]].to_numpy(),
            marker={"color": color, "size": 10},
            hovertemplate="%{text}<br>cost $%{customdata[0]:,.2f}"
            "<br>revenue $%{customdata[1]:,.2f}<extra></extra>",
        )
    powers = [10.0**k for k in range(round(math.log10(floor)) + 1, 8) if 10.0**k <= top * 10]
    axis = {
        "type": "log",
        "tickvals": [floor, *powers],
        "ticktext": ["none", *(_dollars(v) for v in powers)],
    }
    fig.update_xaxes(title_text="Cost of runs (USD, log scale)", **axis)
    fig.update_yaxes(title_text="Revenue (USD, log scale)", **axis)
    fig.update_layout(legend={"y": -0.18, "yanchor": "top", "x": 0})
    return _layout(fig, "Revenue against cost per tenant", height=500)


def _dollars(value: float) -> str:
    """$1, $10, $100, $1k, $10k, $1M: a log axis' tick."""
    for step, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= step:
            return f"${value / step:g}{suffix}"
    return f"${value:g}"
