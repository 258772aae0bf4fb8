"""Cost and margin: per tenant, the cost of its runs against its subscription revenue over
the period, the gross margin, and the tenants that cost more than they pay."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.billing import margin_figure
from regime_dashboard.services.costs import MARGIN_TABLE, load_cost_view
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
cols = st.columns(4)
cols[0].metric("Subscription revenue", ui.format_usd(view.revenue_usd))
cols[1].metric("Cost of runs", ui.format_usd(view.cost_usd))
cols[2].metric("Gross margin", ui.format_share(view.gross_margin))
cols[3].metric("Tenants at a loss", f"{len(view.losses):,}")
st.plotly_chart(margin_figure(view.tenants))

columns = {
    "tenant_name": "Tenant",
    "revenue_usd": ui.usd_column("Revenue"),
    "cost_usd": ui.usd_column("Cost"),
    "margin_usd": ui.usd_column("Margin"),
    "gross_margin": ui.share_column("Gross margin"),
    "runs": st.column_config.NumberColumn("Runs", format="localized"),
    "tokens_input": st.column_config.NumberColumn("Tokens in", format="localized"),
    "tokens_output": st.column_config.NumberColumn("Tokens out", format="localized"),
    "compute_seconds": st.column_config.NumberColumn("Compute (s)", format="localized"),
}
st.subheader("Tenants that cost more than they pay")
if view.losses.empty:
    st.success("Every tenant's revenue covers the cost of its runs in this period.")
else:
    ui.table_with_download(view.losses[list(MARGIN_TABLE)], "tenants_at_a_loss.csv", columns)
st.subheader("Every tenant")
ui.table_with_download(view.tenants[list(MARGIN_TABLE)], "tenant_margins.csv", columns)

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
