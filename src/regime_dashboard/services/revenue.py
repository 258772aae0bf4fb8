"""The Revenue page's data: MRR/ARR and their monthly movements, churn, ARPA and LTV, MRR by
plan and by currency, payments billed against collected. Money in USD, converted from each
subscription's currency with RATES_TO_USD (shown on the page)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metrics.saas import (
    MOVEMENTS,
    ChurnSummary,
    cents_to_units,
    churn_summary,
    monthly_churn_rates,
    net_movements,
    ratio,
)
from ..queries import billing
from ..viewer import Viewer
from .periods import Period

__all__ = [
    "FAILED_LIST_LIMIT",
    "FAILED_TABLE",
    "MOVEMENT_TABLE",
    "PAYMENT_TABLE",
    "RATES_TO_USD",
    "RevenueView",
    "load_revenue_view",
    "rate_table",
]

RATES_TO_USD: dict[str, float] = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}
"""US dollars per unit of each currency: the one place to change the conversion."""
FAILED_LIST_LIMIT = 200
MOVEMENT_TABLE = (
    "month", "opening_mrr", *MOVEMENTS, "closing_mrr", "arr", "closing_customers",
    "customer_churn_rate", "gross_revenue_churn_rate", "net_revenue_churn_rate", "reconciles",
)  # fmt: skip
PAYMENT_TABLE = (
    "month", "payments", "billed", "collected", "failed", "failed_payments", "collection_rate",
)  # fmt: skip
FAILED_TABLE = (
    "tenant_name", "billed_at", "currency", "amount", "total", "amount_usd", "paid_later",
)  # fmt: skip
_MOVEMENT_UNITS = {
    "opening_mrr_cents": "opening_mrr",
    **{f"{m}_cents": m for m in MOVEMENTS},
    "closing_mrr_cents": "closing_mrr",
    "net_cents": "net",
}


def rate_table() -> billing.Rates:
    """RATES_TO_USD as the hashable parameter the queries take."""
    return tuple(sorted(RATES_TO_USD.items()))


@dataclass(frozen=True)
class RevenueView:
    movements: pd.DataFrame  # month (datetime64), MOVEMENT_COLUMNS, net, reconciles, rates
    summary: ChurnSummary  # cents, over the period
    reconciles: bool  # opening + movements == closing for every month
    by_plan: pd.DataFrame  # month, plan_id, paying, mrr (USD)
    by_currency: pd.DataFrame  # currency, rate, subscriptions, mrr_native, mrr_usd
    missing_rates: tuple[str, ...]  # currencies in use without a rate (counted as 0 USD)
    rates: pd.DataFrame  # currency, usd_per_unit
    payments: pd.DataFrame  # month, payments, billed, collected, failed, failed_payments, ...
    failed_payments: pd.DataFrame  # FAILED_PAYMENT_COLUMNS + amount, total, amount_usd


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=pd.to_datetime(frame["month"]))


def _movements(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = run_query(
        billing.mrr_movements,
        scope=viewer.scope,
        first_month=period.first_month,
        as_of=period.as_of,
        rates=rate_table(),
    )
    moves = monthly_churn_rates(net_movements(raw))
    moves = cents_to_units(moves, _MOVEMENT_UNITS).assign(arr=lambda f: f["closing_mrr"] * 12)
    return _months(moves)


def _payments(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = run_query(
        billing.payments_by_month,
        scope=viewer.scope,
        first_month=period.first_month,
        as_of=period.as_of,
        rates=rate_table(),
    )
    units = {"billed_usd_cents": "billed", "collected_usd_cents": "collected"}
    paid = cents_to_units(raw, {**units, "failed_usd_cents": "failed"})
    rate = [ratio(c, b) for c, b in zip(paid["collected"], paid["billed"], strict=True)]
    return _months(paid.assign(collection_rate=pd.Series(rate, index=paid.index, dtype=float)))


def _by_currency(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = run_query(
        billing.mrr_by_currency, scope=viewer.scope, as_of=period.as_of, rates=rate_table()
    )
    units = {"mrr_native_cents": "mrr_native", "mrr_usd_cents": "mrr_usd"}
    return cents_to_units(raw, units)


def load_revenue_view(viewer: Viewer, period: Period) -> RevenueView:
    """Everything the Revenue page shows for `period` (leadership only)."""
    viewer.require("leadership")
    scope, rates = viewer.scope, rate_table()
    common = {"first_month": period.first_month, "as_of": period.as_of, "rates": rates}
    moves = _movements(viewer, period)
    plans = run_query(billing.plan_month_ends, scope=scope, **common)
    failed = run_query(billing.failed_payments, scope=scope, limit=FAILED_LIST_LIMIT, **common)
    currencies = _by_currency(viewer, period)
    return RevenueView(
        movements=moves,
        summary=churn_summary(moves),
        reconciles=bool(moves["reconciles"].all()),
        by_plan=_months(cents_to_units(plans, {"mrr_cents": "mrr"})),
        by_currency=currencies,
        missing_rates=tuple(currencies.loc[currencies["rate"].isna(), "currency"]),
        rates=pd.DataFrame(sorted(RATES_TO_USD.items()), columns=["currency", "usd_per_unit"]),
        payments=_payments(viewer, period),
        failed_payments=cents_to_units(
            failed,
            {"amount_cents": "amount", "total_cents": "total", "amount_usd_cents": "amount_usd"},
        ),
    )
