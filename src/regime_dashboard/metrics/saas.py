"""SaaS metrics over already-aggregated frames (the SQL in queries/billing, usage and ops does
the aggregation): churn rates, ARPA and LTV, waterfall reconciliation, usage projections,
trial conversion and per-tenant margins.

Definitions follow ChartMogul / Baremetrics; rates are monthly. Over several months a rate is
the ratio of the sums (e.g. churned customers over all months / customers at the start of
each month, summed), i.e. a monthly rate weighted by the customers or MRR at risk.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "MOVEMENTS",
    "ChurnSummary",
    "TrialSummary",
    "cents_to_units",
    "churn_summary",
    "ltv_estimate",
    "monthly_churn_rates",
    "net_movements",
    "ratio",
    "tenant_margins",
    "trial_summary",
    "usage_projection",
]

MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churn")
NEAR_SHARE = 0.8  # "near" the limit from 80 % used
_STATE_RANK = {"over": 0, "near": 1, "ok": 2, "unlimited": 3}


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is zero."""
    return None if denominator == 0 else float(numerator) / float(denominator)


def ltv_estimate(arpa: float | None, monthly_churn: float | None) -> float | None:
    """Customer lifetime value estimate: ARPA / monthly customer churn rate (undefined, None,
    without ARPA or without churn)."""
    if arpa is None or not monthly_churn:
        return None
    return arpa / monthly_churn


def net_movements(movements: pd.DataFrame) -> pd.DataFrame:
    """movements: MOVEMENT_COLUMNS of queries.billing (cents). Adds net_cents (sum of the
    five movements) and reconciles (opening + net == closing, exact in integer cents)."""
    net = movements[[f"{m}_cents" for m in MOVEMENTS]].sum(axis=1).astype("int64")
    closes = movements["opening_mrr_cents"] + net == movements["closing_mrr_cents"]
    return movements.assign(net_cents=net, reconciles=closes)


def monthly_churn_rates(movements: pd.DataFrame) -> pd.DataFrame:
    """movements: MOVEMENT_COLUMNS (cents). Adds, per month, customer_churn_rate,
    gross_revenue_churn_rate and net_revenue_churn_rate (NaN without customers / MRR at the
    start of the month); definitions as in churn_summary."""
    opening = movements["opening_mrr_cents"].where(movements["opening_mrr_cents"] > 0)
    customers = movements["opening_customers"].where(movements["opening_customers"] > 0)
    lost = -(movements["churn_cents"] + movements["contraction_cents"])
    won = movements["expansion_cents"] + movements["reactivation_cents"]
    return movements.assign(
        customer_churn_rate=movements["churned_customers"] / customers,
        gross_revenue_churn_rate=lost / opening,
        net_revenue_churn_rate=(lost - won) / opening,
    )


def cents_to_units(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Copies of the cent columns as currency units (float): {cents column: new name}."""
    return frame.assign(**{new: frame[old] / 100 for old, new in columns.items()})


@dataclass(frozen=True)
class ChurnSummary:
    """Over the months of a movements frame; money in cents, rates monthly (None = n/a)."""

    mrr_cents: int
    arr_cents: int
    customers: int
    arpa_cents: float | None
    customer_churn_rate: float | None
    gross_revenue_churn_rate: float | None
    net_revenue_churn_rate: float | None
    ltv_cents: float | None


def churn_summary(movements: pd.DataFrame) -> ChurnSummary:
    """movements: MOVEMENT_COLUMNS (cents), one row per month, at least one row.
    customer churn = churned customers / customers at month start; gross revenue churn =
    (churn + contraction MRR) / opening MRR; net revenue churn = (churn + contraction -
    expansion - reactivation MRR) / opening MRR; ARPA = closing MRR / closing customers;
    LTV = ARPA / customer churn."""
    total = movements.sum(numeric_only=True)
    lost = -(total["churn_cents"] + total["contraction_cents"])
    won = total["expansion_cents"] + total["reactivation_cents"]
    last = movements.iloc[-1]
    mrr, customers = int(last["closing_mrr_cents"]), int(last["closing_customers"])
    customer_churn = ratio(total["churned_customers"], total["opening_customers"])
    arpa = ratio(mrr, customers)
    return ChurnSummary(
        mrr_cents=mrr,
        arr_cents=12 * mrr,
        customers=customers,
        arpa_cents=arpa,
        customer_churn_rate=customer_churn,
        gross_revenue_churn_rate=ratio(lost, total["opening_mrr_cents"]),
        net_revenue_churn_rate=ratio(lost - won, total["opening_mrr_cents"]),
        ltv_cents=ltv_estimate(arpa, customer_churn),
    )


@dataclass(frozen=True)
class TrialSummary:
    started: int
    ended: int
    converted: int
    conversion_rate: float | None  # converted / ended


def trial_summary(trials: pd.DataFrame) -> TrialSummary:
    """trials: TRIAL_COLUMNS of queries.billing (month, started, ended, converted)."""
    started, ended, converted = (int(trials[c].sum()) for c in ("started", "ended", "converted"))
    return TrialSummary(started, ended, converted, ratio(converted, ended))


def _share(used: pd.Series, limit: pd.Series) -> pd.Series:
    """used / limit; NaN for unlimited (NaN limit); a zero limit is 0 % unused, inf used."""
    share = used / limit.where(limit > 0)
    zero = limit == 0
    return share.mask(zero, np.where(used > 0, np.inf, 0.0))


def _projected_crossing(row: pd.Series) -> dt.date | None:
    """The first day the running total reaches the limit: the day it did (reached_on), else
    at the month-to-date rate, the first day k with rate * k >= limit, within the month."""
    if row["reached_on"] is not None and not pd.isna(row["reached_on"]):
        return row["reached_on"]
    limit, used = row["limit_value"], row["used"]
    if pd.isna(limit) or used <= 0:
        return None
    day = math.ceil(limit * row["elapsed_days"] / used - 1e-9)
    if day > row["days_in_month"]:
        return None
    return row["month_start"] + dt.timedelta(days=day - 1)


def _state(share: float) -> str:
    if pd.isna(share):
        return "unlimited"
    return "over" if share >= 1 else "near" if share >= NEAR_SHARE else "ok"


def usage_projection(usage: pd.DataFrame) -> pd.DataFrame:
    """usage: LIMIT_COLUMNS of queries.usage. Adds pct_used (used / limit), projected (used /
    elapsed_days * days_in_month), projected_pct, crosses_on (day the limit is, or at the
    current rate will be, reached this month) and state ('over' >= 100 %, 'near' >= 80 %,
    'ok', 'unlimited'); sorted over, near, ok, unlimited, then by pct_used descending."""
    if usage.empty:
        extra = ["pct_used", "projected", "projected_pct", "crosses_on", "state"]
        return usage.reindex(columns=[*usage.columns, *extra])
    projected = usage["used"] / usage["elapsed_days"] * usage["days_in_month"]
    out = usage.assign(
        pct_used=_share(usage["used"], usage["limit_value"]),
        projected=projected,
        projected_pct=_share(projected, usage["limit_value"]),
    )
    out["crosses_on"] = out.apply(_projected_crossing, axis=1)
    out["state"] = out["pct_used"].map(_state)
    keys = out.assign(_rank=out["state"].map(_STATE_RANK), _desc=-out["pct_used"].fillna(-1))
    keys = keys.sort_values(["_rank", "_desc", "tenant_name", "metric"], kind="stable")
    return keys.drop(columns=["_rank", "_desc"]).reset_index(drop=True)


def tenant_margins(revenue: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """revenue: tenant_id, tenant_name, revenue_usd; costs: tenant_id, tenant_name, runs,
    tokens_input, tokens_output, compute_seconds, cost_usd. One row per tenant in either,
    missing amounts 0: adds margin_usd (revenue - cost) and gross_margin (margin / revenue,
    NaN without revenue). Sorted by margin, the biggest loss first."""
    merged = revenue[["tenant_id", "tenant_name", "revenue_usd"]].merge(
        costs, on="tenant_id", how="outer", suffixes=("", "_cost")
    )
    merged["tenant_name"] = merged["tenant_name"].fillna(merged.pop("tenant_name_cost"))
    amounts = ["revenue_usd", "runs", "tokens_input", "tokens_output", "compute_seconds"]
    merged[[*amounts, "cost_usd"]] = merged[[*amounts, "cost_usd"]].fillna(0)
    merged["margin_usd"] = merged["revenue_usd"] - merged["cost_usd"]
    with_revenue = merged["revenue_usd"].where(merged["revenue_usd"] > 0)
    merged["gross_margin"] = merged["margin_usd"] / with_revenue
    merged = merged.astype({"runs": "int64", "tokens_input": "int64", "tokens_output": "int64"})
    return merged.sort_values(["margin_usd", "tenant_name"]).reset_index(drop=True)
