"""The common Streamlit pattern, as a baseline: read whole tables with pandas and aggregate
in memory. Each function computes what its page shows, the slow way."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

__all__ = ["NAIVE", "naive_costs", "naive_operations", "naive_revenue", "naive_usage"]


def _whole_table(engine: Engine, name: str, columns: str = "*") -> pd.DataFrame:
    return pd.read_sql(f"SELECT {columns} FROM {name}", engine)  # noqa: S608 - constant names


def naive_revenue(engine: Engine) -> pd.DataFrame:
    """Month-end MRR per tenant from the whole event ledger, then movements per month."""
    events = _whole_table(engine, "subscription_events").sort_values("occurred_at")
    events["mrr"] = (
        events["price_cents"].where(events["status"].isin(["active", "past_due"]), 0).astype(float)
    )
    events.loc[events["billing_cycle"] == "annual", "mrr"] /= 12
    events["month"] = events["occurred_at"].dt.tz_convert("UTC").dt.to_period("M")
    month_end = (
        events.groupby(["tenant_id", "month"])["mrr"].last().unstack().ffill(axis=1).fillna(0)
    )
    change = month_end.diff(axis=1)
    payments = _whole_table(engine, "payments")
    payments.groupby([payments["billed_at"].dt.to_period("M"), "status"])["total_cents"].sum()
    return change.stack().groupby(level=1).agg(["sum", "count"])


def naive_usage(engine: Engine) -> pd.DataFrame:
    """This month's usage per tenant and metric from every usage event, against limits."""
    usage = _whole_table(engine, "usage_events")
    now = usage["occurred_at"].max()
    month = usage[usage["occurred_at"] >= now.replace(day=1, hour=0, minute=0, second=0)]
    used = month.groupby(["tenant_id", "metric"])["quantity"].sum().reset_index()
    subs = _whole_table(engine, "subscriptions")[["tenant_id", "plan_id"]]
    plans = _whole_table(engine, "plans")[["id", "limits_json"]]
    merged = used.merge(subs, on="tenant_id").merge(plans, left_on="plan_id", right_on="id")
    merged["limit"] = [
        limits.get(m) for limits, m in zip(merged["limits_json"], merged["metric"], strict=True)
    ]
    return merged


def naive_costs(engine: Engine) -> pd.DataFrame:
    runs = _whole_table(engine, "runs")
    return runs.groupby("tenant_id")[["cost_usd", "tokens_input", "tokens_output"]].sum()


def naive_operations(engine: Engine) -> pd.DataFrame:
    runs = _whole_table(engine, "runs")
    runs["day"] = runs["queued_at"].dt.floor("D")
    runs["wait"] = (runs["started_at"] - runs["queued_at"]).dt.total_seconds()
    return runs.groupby(["day", "kind", "status"])["wait"].describe(percentiles=[0.5, 0.95])


NAIVE = {
    "revenue": naive_revenue,
    "usage": naive_usage,
    "costs": naive_costs,
    "operations": naive_operations,
}
