"""Subscriptions: counts by status and by plan at each month end, trial conversion, the
past_due subscriptions and the renewals and cancellations due in the next 30 days."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.charts.billing import plan_counts_figure, status_figure
from regime_dashboard.services.subscriptions import (
    PAST_DUE_TABLE,
    UPCOMING_DAYS,
    UPCOMING_TABLE,
    load_subscriptions_view,
)
from regime_dashboard.ui import leadership as tables
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.periods import leadership_view

period, view = leadership_view(
    "Subscriptions",
    "No subscriptions yet",
    load_subscriptions_view,
    spinner="Reading the subscription ledger…",
)
before = view.previous_period
on, over = f"{before.as_of:%d %b %Y}", f"{before.first_month:%b %Y} – {before.as_of:%d %b %Y}"
st.caption(
    f"{period.label} · states at each month end, the last month at the as-of day · "
    f"changes against {on}"
)
latest, then = view.statuses.iloc[-1], view.previous_statuses
cols = card_row(5)
for col, status in zip(cols, ("active", "trialing", "past_due", "canceled"), strict=False):
    kpi(col, status.replace("_", " ").title(), int(latest[status]), "count",
        previous=int(then[status]), since=on, series=view.statuses[status],
        lower_is_better=status in ("past_due", "canceled"))  # fmt: skip
kpi(
    cols[4],
    "Trial conversion",
    view.trial.conversion_rate,
    "share",
    previous=view.previous_trial.conversion_rate,
    since=over,
    help=f"{view.trial.converted:,} of {view.trial.ended:,} trials that ended "
    f"({view.trial.started:,} started in the period).",
)

left, right = st.columns(2)
left.plotly_chart(status_figure(view.statuses))
right.plotly_chart(plan_counts_figure(view.plans))
tables.show(
    view.statuses,
    "subscriptions_by_status.csv",
    ["month", "active", "trialing", "past_due", "canceled", "canceled_in_month"],
    past_due="Past due",
)

st.subheader("Trials started in the period")
tables.show(view.trials, "trials.csv", ["month", "started", "ended", "converted"],
            month=st.column_config.DateColumn("Month started", format="MMM YYYY"))  # fmt: skip

st.subheader(f"Past due on {period.as_of:%d %b %Y}")
if view.past_due.empty:
    st.success("No subscription is past due.")
else:
    kpi(card_row(1)[0], "MRR at risk", view.mrr_at_risk_usd, "usd")
    tables.show(view.past_due, "past_due.csv", PAST_DUE_TABLE, mrr_usd="MRR at risk ($)")

st.subheader(f"Renewals and cancellations due in the next {UPCOMING_DAYS} days")
if view.upcoming.empty:
    st.info(f"No subscription period ends in the {UPCOMING_DAYS} days after the as-of day.")
else:
    cols = card_row(2)
    kpi(cols[0], "Renewals", view.renewals, "count")
    kpi(cols[1], "MRR canceling", view.canceling_mrr_usd, "usd")
    tables.show(view.upcoming, "period_ends.csv", UPCOMING_TABLE)

with st.expander("What these numbers mean"):
    st.markdown(
        "- **By status / by plan**: each subscription's state at the month end (the last "
        "event of the ledger at or before it); the current month at the end of the as-of "
        "day. *Canceled* counts every canceled subscription; the chart's lower panel counts "
        "the subscriptions canceled in each month. By plan counts live (not canceled) "
        "subscriptions.\n"
        "- **Trial conversion**: of the trials started in the period that have ended (left "
        "*trialing*), the share that ended by an *activated* event.\n"
        "- **Past due**: subscriptions past_due at the as-of day; days overdue since the "
        "latest past_due event; the failed payment in the subscription's currency, tax "
        "included; MRR at risk in USD (past_due MRR still counts in MRR until canceled).\n"
        "- **Renewals / cancellations**: live subscriptions whose current period ends "
        f"within {UPCOMING_DAYS} days of the as-of day, from the current subscription "
        "records; *cancellation* when cancel-at-period-end is set."
    )
