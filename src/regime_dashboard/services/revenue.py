"""The Revenue page's data: MRR/ARR and their monthly movements, churn, ARPA and LTV, MRR by
plan and by currency, payments billed against collected. Money in USD, converted from each
subscription's currency with RATES_TO_USD (shown on the page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..cache import QueryFn, run_query
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
from .periods import Period, previous_period, with_month_dates

__all__ = [
    "FAILED_LIST_LIMIT",
    "FAILED_TABLE",
    "MOVEMENT_TABLE",
    "MOVER_TABLE",
    "PAYMENT_TABLE",
    "RATES_TO_USD",
    "RevenueView",
    "load_movement_customers",
    "load_revenue_view",
    "read_billing",
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
MOVER_TABLE = ("tenant_name", "movement", "mrr_before", "mrr_after", "change")
_MOVEMENT_UNITS = {
    "opening_mrr_cents": "opening_mrr",
    **{f"{m}_cents": m for m in MOVEMENTS},
    "closing_mrr_cents": "closing_mrr",
    "net_cents": "net",
}


def _rate_table() -> billing.Rates:
    """RATES_TO_USD as the hashable parameter the queries take."""
    return tuple(sorted(RATES_TO_USD.items()))


def read_billing(
    viewer: Viewer, query: QueryFn, period: Period | None = None, **params: Any
) -> pd.DataFrame:
    """`query` of queries.billing in the viewer's scope (leadership only), money converted
    to USD with RATES_TO_USD, over `period` (its first month and "as of" day) when given:
    the one billing read of the Revenue, Subscriptions and Cost pages."""
    viewer.require("leadership")
    span = {} if period is None else {"first_month": period.first_month, "as_of": period.as_of}
    return run_query(query, scope=viewer.scope, rates=_rate_table(), **span, **params)


@dataclass(frozen=True)
class RevenueView:
    movements: pd.DataFrame  # month (datetime64), MOVEMENT_COLUMNS, net, reconciles, rates
    summary: ChurnSummary  # cents, over the period
    previous: ChurnSummary  # the same over the previous period (periods.previous_period)
    previous_period: Period
    reconciles: bool  # opening + movements == closing for every month
    by_plan: pd.DataFrame  # month, plan_id, paying, mrr (USD)
    by_currency: pd.DataFrame  # currency, rate, subscriptions, mrr_native, mrr_usd
    missing_rates: tuple[str, ...]  # currencies in use without a rate (counted as 0 USD)
    rates: pd.DataFrame  # currency, usd_per_unit
    payments: pd.DataFrame  # month, payments, billed, collected, failed, failed_payments, ...
    failed_payments: pd.DataFrame  # FAILED_PAYMENT_COLUMNS + amount, total, amount_usd

    @property
    def moving_months(self) -> list[dt.date]:
        """The months with any MRR movement, latest first (the drill-down's choices)."""
        moving = self.movements[self.movements[list(MOVEMENTS)].ne(0).any(axis=1)]
        return [m.date() for m in reversed(list(moving["month"]))]


def _movements(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = read_billing(viewer, billing.mrr_movements, period)
    moves = monthly_churn_rates(net_movements(raw))
    moves = cents_to_units(moves, _MOVEMENT_UNITS).assign(
        arr=lambda f: f["closing_mrr"] * 12,
        arpa=lambda f: f["closing_mrr"] / f["closing_customers"].where(f["closing_customers"] > 0),
    )
    return with_month_dates(moves)


def _payments(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = read_billing(viewer, billing.payments_by_month, period)
    units = {"billed_usd_cents": "billed", "collected_usd_cents": "collected"}
    paid = cents_to_units(raw, {**units, "failed_usd_cents": "failed"})
    rate = [ratio(c, b) for c, b in zip(paid["collected"], paid["billed"], strict=True)]
    return with_month_dates(
        paid.assign(collection_rate=pd.Series(rate, index=paid.index, dtype=float))
    )


def _by_currency(viewer: Viewer, period: Period) -> pd.DataFrame:
    raw = read_billing(viewer, billing.mrr_by_currency, as_of=period.as_of)
    units = {"mrr_native_cents": "mrr_native", "mrr_usd_cents": "mrr_usd"}
    return cents_to_units(raw, units)


def load_revenue_view(viewer: Viewer, period: Period) -> RevenueView:
    """Everything the Revenue page shows for `period` (leadership only)."""
    viewer.require("leadership")
    moves = _movements(viewer, period)
    before = previous_period(period)
    plans = read_billing(viewer, billing.plan_month_ends, period)
    failed = read_billing(viewer, billing.failed_payments, period, limit=FAILED_LIST_LIMIT)
    currencies = _by_currency(viewer, period)
    return RevenueView(
        movements=moves,
        summary=churn_summary(moves),
        previous=churn_summary(_movements(viewer, before)),
        previous_period=before,
        reconciles=bool(moves["reconciles"].all()),
        by_plan=with_month_dates(cents_to_units(plans, {"mrr_cents": "mrr"})),
        by_currency=currencies,
        missing_rates=tuple(currencies.loc[currencies["rate"].isna(), "currency"]),
        rates=pd.DataFrame(sorted(RATES_TO_USD.items()), columns=["currency", "usd_per_unit"]),
        payments=_payments(viewer, period),
        failed_payments=cents_to_units(
            failed,
            {"amount_cents": "amount", "total_cents": "total", "amount_usd_cents": "amount_usd"},
        ),
    )


def load_movement_customers(
    viewer: Viewer, period: Period, month: dt.date, movement: str | None = None
) -> pd.DataFrame:
    """The customers behind `month`'s MRR movements on the Revenue page of `period`
    (leadership only): tenant_id, tenant_name, movement, mrr_before, mrr_after, change
    (USD; churn and contraction negative), largest change first; only `movement` when
    given. Per movement the changes sum to the movements table's amount."""
    raw = read_billing(
        viewer, billing.movement_customers, month=month, as_of=period.as_of, movement=movement
    )
    units = {"mrr_before_cents": "mrr_before", "mrr_after_cents": "mrr_after"}
    return cents_to_units(raw, {**units, "change_cents": "change"})
