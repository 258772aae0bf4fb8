"""Subscriptions: counts by status and by plan at each month end, trial conversion, the
past_due subscriptions and the renewals and cancellations due in the next 30 days."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.billing import plan_counts_figure, status_figure
from regime_dashboard.services.subscriptions import (
    PAST_DUE_TABLE,
    UPCOMING_DAYS,
    UPCOMING_TABLE,
    load_subscriptions_view,
)
from regime_dashboard.ui.periods import leadership_view

period, view = leadership_view(
    "Subscriptions",
    "No subscriptions yet",
    load_subscriptions_view,
    spinner="Reading the subscription ledger…",
)

st.caption(f"{period.label} · states at each month end, the last month at the as-of day")
latest = view.statuses.iloc[-1]
cols = st.columns(5)
for col, status in zip(cols, ("active", "trialing", "past_due", "canceled"), strict=False):
    col.metric(status.replace("_", " ").title(), f"{int(latest[status]):,}")
cols[4].metric(
    "Trial conversion",
    ui.format_share(view.trial.conversion_rate),
    help=f"{view.trial.converted:,} of {view.trial.ended:,} trials that ended "
    f"({view.trial.started:,} started in the period)",
)

left, right = st.columns(2)
left.plotly_chart(status_figure(view.statuses))
right.plotly_chart(plan_counts_figure(view.plans))
ui.table_with_download(
    view.statuses,
    "subscriptions_by_status.csv",
    {"month": ui.month_column(), "canceled_in_month": "Canceled in month"},
)

st.subheader("Trials started in the period")
ui.table_with_download(view.trials, "trials.csv", {"month": ui.month_column("Month started")})

st.subheader(f"Past due on {period.as_of:%d %b %Y}")
if view.past_due.empty:
    st.success("No subscription is past due.")
else:
    st.metric("MRR at risk", ui.format_usd(view.mrr_at_risk_usd))
    ui.table_with_download(
        view.past_due[list(PAST_DUE_TABLE)],
        "past_due.csv",
        {
            "tenant_name": "Tenant",
            "plan_id": "Plan",
            "days_overdue": "Days overdue",
            "failed_payment": st.column_config.NumberColumn(
                "Failed payment (own currency, incl. tax)", format="%,.2f"
            ),
            "mrr_usd": ui.usd_column("MRR at risk (USD)"),
        },
    )

st.subheader(f"Renewals and cancellations due in the next {UPCOMING_DAYS} days")
if view.upcoming.empty:
    st.info(f"No subscription period ends in the {UPCOMING_DAYS} days after the as-of day.")
else:
    cols = st.columns(2)
    cols[0].metric("Renewals", f"{view.renewals:,}")
    cols[1].metric("MRR canceling", ui.format_usd(view.canceling_mrr_usd))
    ui.table_with_download(
        view.upcoming[list(UPCOMING_TABLE)],
        "period_ends.csv",
        {
            "tenant_name": "Tenant",
            "current_period_end": st.column_config.DatetimeColumn("Period ends"),
            "price": st.column_config.NumberColumn("Price (own currency)", format="%,.2f"),
            "mrr_usd": ui.usd_column("MRR (USD)"),
        },
    )

with st.expander("What these numbers mean"):
    st.markdown(
        "- **By status / by plan**: each subscription's state at the month end (the last "
        "event of the ledger at or before it); the current month at the end of the as-of "
        "day. *Canceled* counts every canceled subscription; the chart shows the month's "
        "cancellations below zero. By plan counts live (not canceled) subscriptions.\n"
        "- **Trial conversion**: of the trials started in the period that have ended (left "
        "*trialing*), the share that ended by an *activated* event.\n"
        "- **Past due**: subscriptions past_due at the as-of day; days overdue since the "
        "latest past_due event; the failed payment in the subscription's currency, tax "
        "included; MRR at risk in USD (past_due MRR still counts in MRR until canceled).\n"
        "- **Renewals / cancellations**: live subscriptions whose current period ends "
        f"within {UPCOMING_DAYS} days of the as-of day, from the current subscription "
        "records; *cancellation* when cancel-at-period-end is set."
    )
