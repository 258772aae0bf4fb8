"""Cost and margin: per tenant, the cost of its runs against its subscription revenue over
the period, the gross margin, and the tenants that cost more than they pay."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.charts.billing import margin_figure
from regime_dashboard.services.costs import MARGIN_TABLE, load_cost_view
from regime_dashboard.ui import leadership as tables
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.periods import leadership_view, stop_when_empty

period, view = leadership_view(
    "Cost and margin",
    "No activity yet",
    load_cost_view,
    spinner="Adding up run costs and revenue…",
    default="3m",
)
stop_when_empty(view.tenants, "No revenue and no runs in this period: choose a longer period.")

st.caption(f"{period.label} · revenue = MRR in USD (not payments collected)")
was, since = view.previous, "the previous period, as long"
cols = card_row(4)
for col, label, now, then, kind, lower in (
    (cols[0], "Subscription revenue", view.revenue_usd, was and was.revenue_usd, "usd", False),
    (cols[1], "Cost of runs", view.cost_usd, was and was.cost_usd, "usd", True),
    (cols[2], "Gross margin", view.gross_margin, was and was.gross_margin, "share", False),
    (cols[3], "Tenants at a loss", len(view.losses), was and len(was.losses), "count", True),
):
    kpi(col, label, now, kind, previous=then, since=since, lower_is_better=lower)
st.plotly_chart(margin_figure(view.tenants))

shares = {"gross_margin": "Gross margin"}
money = {"margin_usd": "Margin ($)"}
st.subheader("Tenants that cost more than they pay")
if view.losses.empty:
    st.success("Every tenant's revenue covers the cost of its runs in this period.")
else:
    tables.show(view.losses, "tenants_at_a_loss.csv", MARGIN_TABLE, shares=shares, money=money)
st.subheader("Every tenant")
tables.show(view.tenants, "tenant_margins.csv", MARGIN_TABLE, shares=shares, money=money)

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Revenue**: subscription revenue in USD from MRR, not payments collected: each "
        "month of the period counts the tenant's month-end MRR (annual plans one twelfth, "
        "trials nothing, past_due until canceled), the current month pro-rated by the days "
        "elapsed. So an annual prepayment is spread over its year.\n"
        "- **Cost**: the recorded `cost_usd` of the tenant's runs queued in the period "
        "(model tokens in and out, and compute); tokens and compute seconds are shown "
        "for reference.\n"
        "- **Margin** = revenue − cost; **gross margin** = margin ÷ revenue (blank without "
        "revenue). A tenant *costs more than it pays* when its margin is negative; the "
        "list is sorted by loss, the largest first. Costs beyond runs (hosting, support) "
        "are not included."
    )
