"""Revenue: MRR and ARR, the monthly MRR movements, churn, ARPA and LTV, MRR by plan and by
currency, payments billed against collected."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.billing import (
    movements_figure,
    mrr_figure,
    payments_figure,
    plan_mrr_figure,
    waterfall_figure,
)
from regime_dashboard.metrics.saas import MOVEMENTS
from regime_dashboard.services.revenue import (
    FAILED_TABLE,
    MOVEMENT_TABLE,
    PAYMENT_TABLE,
    load_revenue_view,
)
from regime_dashboard.ui.periods import leadership_view

period, view = leadership_view(
    "Revenue",
    "No billing data yet",
    load_revenue_view,
    spinner="Computing MRR from the subscription ledger…",
)
s = view.summary

st.caption(f"{period.label} · all amounts in USD")
top = st.columns(4)
top[0].metric("MRR", ui.format_usd(s.mrr_cents / 100))
top[1].metric("ARR", ui.format_usd(s.arr_cents / 100))
top[2].metric("Paying customers", f"{s.customers:,}")
top[3].metric("ARPA", ui.format_usd(None if s.arpa_cents is None else s.arpa_cents / 100, 2))
rates = st.columns(4)
rates[0].metric("Customer churn (monthly)", ui.format_share(s.customer_churn_rate))
rates[1].metric("Gross revenue churn (monthly)", ui.format_share(s.gross_revenue_churn_rate))
rates[2].metric("Net revenue churn (monthly)", ui.format_share(s.net_revenue_churn_rate))
rates[3].metric("LTV estimate", ui.format_usd(None if s.ltv_cents is None else s.ltv_cents / 100))

st.plotly_chart(mrr_figure(view.movements))
left, right = st.columns(2)
left.plotly_chart(waterfall_figure(view.movements))
right.plotly_chart(movements_figure(view.movements))
if view.reconciles:
    st.caption("✓ Every month reconciles: opening MRR + movements = closing MRR, to the cent.")
else:
    st.error("Some months do not reconcile: see the Reconciles column.")

st.subheader("MRR movements per month")
ui.table_with_download(
    view.movements[list(MOVEMENT_TABLE)],
    "mrr_movements.csv",
    {
        "month": ui.month_column(),
        "opening_mrr": ui.usd_column("Opening MRR"),
        **{m: ui.usd_column(m.title()) for m in MOVEMENTS},
        "closing_mrr": ui.usd_column("Closing MRR"),
        "arr": ui.usd_column("ARR"),
        "closing_customers": st.column_config.NumberColumn("Customers"),
        "customer_churn_rate": ui.share_column("Customer churn"),
        "gross_revenue_churn_rate": ui.share_column("Gross revenue churn"),
        "net_revenue_churn_rate": ui.share_column("Net revenue churn"),
        "reconciles": st.column_config.CheckboxColumn("Reconciles"),
    },
)

st.subheader("Revenue by plan and by currency")
st.plotly_chart(plan_mrr_figure(view.by_plan))
left, right = st.columns([2, 1])
with left:
    st.markdown(f"**MRR by currency on {period.as_of:%d %b %Y}**")
    ui.table_with_download(
        view.by_currency[["currency", "subscriptions", "mrr_native", "rate", "mrr_usd"]],
        "mrr_by_currency.csv",
        {
            "mrr_native": st.column_config.NumberColumn("MRR (own currency)", format="%,.2f"),
            "rate": st.column_config.NumberColumn("USD per unit", format="%.4f"),
            "mrr_usd": ui.usd_column("MRR (USD)"),
        },
    )
with right:
    st.markdown("**Conversion rates used**")
    ui.table_with_download(view.rates, "conversion_rates.csv")
if view.missing_rates:
    st.warning(
        f"No conversion rate for {', '.join(view.missing_rates)}: those subscriptions count "
        "as $0. Add the rate to RATES_TO_USD in services/revenue.py."
    )

st.subheader("Payments: collected against billed")
if view.payments.empty:
    st.info("No payments were billed in this period: choose a longer period.")
else:
    st.plotly_chart(payments_figure(view.payments))
    ui.table_with_download(
        view.payments[list(PAYMENT_TABLE)],
        "payments.csv",
        {
            "month": ui.month_column(),
            **{c: ui.usd_column(c.title()) for c in ("billed", "collected", "failed")},
            "failed_payments": st.column_config.NumberColumn("Failed payments"),
            "collection_rate": ui.share_column("Collected / billed"),
        },
    )
st.markdown(f"**Failed payments** (latest {len(view.failed_payments):,})")
ui.table_with_download(
    view.failed_payments[list(FAILED_TABLE)],
    "failed_payments.csv",
    {"tenant_name": "Tenant", "amount_usd": ui.usd_column("Amount (USD)")},
)

with st.expander("What these numbers mean"):
    st.markdown(
        "Definitions as in ChartMogul and Baremetrics, from the subscription ledger.\n"
        "- **MRR** (monthly recurring revenue) at an instant: the sum over subscriptions "
        "of their price per month — annual plans count one twelfth of the annual price, "
        "**trials count zero**, **past_due keeps counting until the subscription is "
        "canceled**, a cancel-at-period-end subscription counts until its period ends "
        "(the ledger records the cancellation then). Month-end MRR is taken at the first "
        "instant of the next month; the current month closes at the end of the as-of day.\n"
        "- **ARR** = 12 × MRR. Amounts are converted to USD with the rate table shown.\n"
        "- **Movements**, per customer between consecutive month ends: **new** 0 → x the "
        "first time, **reactivation** 0 → x after having had MRR before, **expansion** "
        "x → more, **contraction** x → less, **churn** x → 0. "
        "Opening MRR + movements = closing MRR for every month.\n"
        "- **Customer churn rate**: customers lost in the month ÷ paying customers at its "
        "start. **Gross revenue churn**: (churn + contraction) ÷ opening MRR. **Net revenue "
        "churn**: (churn + contraction − expansion − reactivation) ÷ opening MRR; negative "
        "means net expansion. Over the period: the ratio of the monthly sums.\n"
        "- **ARPA**: MRR ÷ paying customers at the as-of day. **LTV estimate** = ARPA ÷ "
        "monthly customer churn rate (a simple estimate, undefined with no churn).\n"
        "- **Payments**: amounts billed in the month excluding tax; collected = succeeded, "
        "failed = failed; *paid later* means a later payment of that subscription succeeded."
    )
