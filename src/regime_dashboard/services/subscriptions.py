"""The Subscriptions page's data: subscriptions by status and by plan at each month end,
trial conversion, past_due subscriptions and the period ends due in the next 30 days."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..cache import run_query
from ..metrics.saas import TrialSummary, cents_to_units, trial_summary
from ..queries import billing
from ..viewer import Viewer
from .periods import Period, previous_period, with_month_dates
from .revenue import read_billing

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
    plans: pd.DataFrame  # queries.billing.PLAN_MONTH_END_COLUMNS, month as datetime64
    trials: pd.DataFrame  # TRIAL_COLUMNS
    trial: TrialSummary
    past_due: pd.DataFrame  # PAST_DUE_COLUMNS + failed_payment (its currency), mrr_usd
    upcoming: pd.DataFrame  # UPCOMING_COLUMNS + price (its currency), mrr_usd
    mrr_at_risk_usd: float  # MRR of the past_due subscriptions
    renewals: int  # period ends due that renew
    canceling_mrr_usd: float  # MRR of the period ends due that cancel
    previous_period: Period  # what the cards compare with (periods.previous_period)
    previous_statuses: pd.Series  # STATUS_COLUMNS at the end of previous_period
    previous_trial: TrialSummary  # trial conversion over previous_period


def load_subscriptions_view(viewer: Viewer, period: Period) -> SubscriptionsView:
    """Everything the Subscriptions page shows for `period` (leadership only)."""
    viewer.require("leadership")
    scope, span = viewer.scope, {"first_month": period.first_month, "as_of": period.as_of}
    trials = run_query(billing.trial_conversions, scope=scope, **span)
    past_due = read_billing(viewer, billing.past_due_subscriptions, as_of=period.as_of)
    upcoming = read_billing(
        viewer, billing.upcoming_period_ends, as_of=period.as_of, days=UPCOMING_DAYS
    )
    past_due = cents_to_units(
        past_due, {"failed_payment_cents": "failed_payment", "mrr_usd_cents": "mrr_usd"}
    )
    upcoming = cents_to_units(upcoming, {"price_cents": "price", "mrr_usd_cents": "mrr_usd"})
    canceling = upcoming["due"] == "cancellation"
    before = previous_period(period)
    then = {"first_month": before.as_of.replace(day=1), "as_of": before.as_of}
    span_before = {"first_month": before.first_month, "as_of": before.as_of}
    return SubscriptionsView(
        statuses=with_month_dates(run_query(billing.status_month_ends, scope=scope, **span)),
        plans=with_month_dates(read_billing(viewer, billing.plan_month_ends, period)),
        trials=trials,
        trial=trial_summary(trials),
        past_due=past_due,
        upcoming=upcoming,
        mrr_at_risk_usd=float(past_due["mrr_usd"].sum()),
        renewals=int((~canceling).sum()),
        canceling_mrr_usd=float(upcoming.loc[canceling, "mrr_usd"].sum()),
        previous_period=before,
        previous_statuses=run_query(billing.status_month_ends, scope=scope, **then).iloc[-1],
        previous_trial=trial_summary(
            run_query(billing.trial_conversions, scope=scope, **span_before)
        ),
    )
