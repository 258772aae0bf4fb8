"""The Subscriptions page's data: subscriptions by status and by plan at each month end,
trial conversion, past_due subscriptions and the period ends due in the next 30 days."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metrics.saas import TrialSummary, cents_to_units, trial_summary
from ..queries import billing
from ..viewer import Viewer
from .periods import Period
from .revenue import rate_table

__all__ = [
    "PAST_DUE_TABLE",
    "UPCOMING_DAYS",
    "UPCOMING_TABLE",
    "SubscriptionsView",
    "load_subscriptions_view",
]

UPCOMING_DAYS = 30
PAST_DUE_TABLE = (
    "tenant_name", "plan_id", "past_due_since", "days_overdue", "currency", "failed_payment",
    "mrr_usd",
)  # fmt: skip
UPCOMING_TABLE = (
    "tenant_name", "plan_id", "status", "due", "current_period_end", "currency", "price",
    "mrr_usd",
)  # fmt: skip


@dataclass(frozen=True)
class SubscriptionsView:
    statuses: pd.DataFrame  # STATUS_COLUMNS, month as datetime64
    plans: pd.DataFrame  # PLAN_COLUMNS, month as datetime64
    trials: pd.DataFrame  # TRIAL_COLUMNS
    trial: TrialSummary
    past_due: pd.DataFrame  # PAST_DUE_COLUMNS + failed_payment (its currency), mrr_usd
    upcoming: pd.DataFrame  # UPCOMING_COLUMNS + price (its currency), mrr_usd
    mrr_at_risk_usd: float  # MRR of the past_due subscriptions
    renewals: int  # period ends due that renew
    canceling_mrr_usd: float  # MRR of the period ends due that cancel


def _with_months(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=pd.to_datetime(frame["month"]))


def load_subscriptions_view(viewer: Viewer, period: Period) -> SubscriptionsView:
    """Everything the Subscriptions page shows for `period` (leadership only)."""
    viewer.require("leadership")
    scope, rates = viewer.scope, rate_table()
    span = {"first_month": period.first_month, "as_of": period.as_of}
    trials = run_query(billing.trial_conversions, scope=scope, **span)
    past_due = run_query(
        billing.past_due_subscriptions, scope=scope, as_of=period.as_of, rates=rates
    )
    upcoming = run_query(
        billing.upcoming_period_ends,
        scope=scope,
        as_of=period.as_of,
        days=UPCOMING_DAYS,
        rates=rates,
    )
    past_due = cents_to_units(
        past_due, {"failed_payment_cents": "failed_payment", "mrr_usd_cents": "mrr_usd"}
    )
    upcoming = cents_to_units(upcoming, {"price_cents": "price", "mrr_usd_cents": "mrr_usd"})
    canceling = upcoming["due"] == "cancellation"
    return SubscriptionsView(
        statuses=_with_months(run_query(billing.status_month_ends, scope=scope, **span)),
        plans=_with_months(run_query(billing.plan_month_ends, scope=scope, rates=rates, **span)),
        trials=trials,
        trial=trial_summary(trials),
        past_due=past_due,
        upcoming=upcoming,
        mrr_at_risk_usd=float(past_due["mrr_usd"].sum()),
        renewals=int((~canceling).sum()),
        canceling_mrr_usd=float(upcoming.loc[canceling, "mrr_usd"].sum()),
    )
