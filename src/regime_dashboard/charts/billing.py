"""Subscription, revenue and margin figures. Plans take PLAN_COLORS; statuses and MRR
movements have one colour each, here, used on every page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..figure_memo import by_content
from .palette import PLAN_COLORS, plan_color
from .text import plotly_texts

__all__ = [
    "MOVEMENT_COLORS",
    "STATUS_COLORS",
    "margin_figure",
    "movements_figure",
    "mrr_figure",
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
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "legend": {"orientation": "h"}}


def _layout(fig: go.Figure, title: str, **extra: object) -> go.Figure:
    fig.update_layout(title=title, **_LAYOUT, **extra)
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
    """statuses: month, active, past_due, trialing, canceled_in_month. Live subscriptions
    stacked above zero, the month's cancellations below it."""
    fig = go.Figure()
    for status in ("active", "past_due", "trialing"):
        fig.add_bar(
            x=statuses["month"],
            y=statuses[status],
            name=status.replace("_", " ").title(),
            marker_color=STATUS_COLORS[status],
        )
    fig.add_bar(
        x=statuses["month"],
        y=-statuses["canceled_in_month"],
        name="Canceled in month",
        marker_color=STATUS_COLORS["canceled"],
    )
    return _layout(fig, "Subscriptions by status at month end", barmode="relative")


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
    """movements: month, closing_mrr, arr (USD)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=movements["month"], y=movements["closing_mrr"], name="MRR", marker_color="#1e88e5"
    )
    fig.add_scatter(
        x=movements["month"],
        y=movements["arr"],
        name="ARR",
        mode="lines+markers",
        line={"color": "#6a1b9a"},
        secondary_y=True,
    )
    fig.update_yaxes(title_text="MRR (USD)", tickprefix="$", secondary_y=False)
    fig.update_yaxes(title_text="ARR (USD)", tickprefix="$", secondary_y=True)
    return _layout(fig, "MRR and ARR at month end")


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
            text=[f"${v:,.0f}" for v in amounts],
            increasing={"marker": {"color": MOVEMENT_COLORS["new"]}},
            decreasing={"marker": {"color": MOVEMENT_COLORS["churn"]}},
            totals={"marker": {"color": "#1e88e5"}},
        )
    )
    fig.update_yaxes(tickprefix="$")
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
        )
    fig.add_scatter(
        x=movements["month"],
        y=movements["net"],
        name="Net",
        mode="lines+markers",
        line={"color": "#212121"},
    )
    fig.update_yaxes(tickprefix="$")
    return _layout(fig, "MRR movements per month", barmode="relative")


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
    fig.update_yaxes(tickprefix="$")
    return _layout(fig, "MRR by plan at month end")


@by_content
def payments_figure(payments: pd.DataFrame) -> go.Figure:
    """payments: month, billed, collected, failed (USD, excluding tax)."""
    fig = go.Figure()
    colors = {"billed": "#90a4ae", "collected": "#2e7d32", "failed": "#c62828"}
    for name, color in colors.items():
        fig.add_bar(x=payments["month"], y=payments[name], name=name.title(), marker_color=color)
    fig.update_yaxes(tickprefix="$")
    return _layout(fig, "Payments billed, collected and failed", barmode="group")


@by_content
def margin_figure(tenants: pd.DataFrame) -> go.Figure:
    """tenants: tenant_name, revenue_usd, cost_usd, margin_usd. One point per tenant; below
    the diagonal a tenant costs more than it pays."""
    fig = go.Figure()
    top = float(max(tenants["revenue_usd"].max(), tenants["cost_usd"].max(), 1.0))
    fig.add_scatter(
        x=[0, top],
        y=[0, top],
        mode="lines",
        name="Cost = revenue",
        line={"color": "#9e9e9e", "dash": "dash"},
    )
    loss = tenants["margin_usd"] < 0
    for label, rows, color in (("Profitable", ~loss, "#2e7d32"), ("Loss", loss, "#c62828")):
        part = tenants[rows]
        fig.add_scatter(
            x=part["cost_usd"],
            y=part["revenue_usd"],
            mode="markers",
            name=label,
            text=plotly_texts(part["tenant_name"]),
            marker={"color": color, "size": 9},
            hovertemplate="%{text}<br>cost $%{x:,.2f}<br>revenue $%{y:,.2f}<extra></extra>",
        )
    fig.update_xaxes(title_text="Cost of runs (USD)", tickprefix="$")
    fig.update_yaxes(title_text="Subscription revenue (USD)", tickprefix="$")
    return _layout(fig, "Revenue against cost per tenant")
