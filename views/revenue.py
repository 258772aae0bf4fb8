"""Revenue: MRR and ARR, the monthly MRR movements, churn, ARPA and LTV, MRR by plan and by
currency, payments billed against collected."""

from __future__ import annotations

import pandas as pd
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
    MOVER_TABLE,
    PAYMENT_TABLE,
    load_movement_customers,
    load_revenue_view,
)
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import leadership as tables
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.periods import leadership_view

period, view = leadership_view(
    "Revenue",
    "No billing data yet",
    load_revenue_view,
    spinner="Computing MRR from the subscription ledger…",
)
s, was, moves, before = view.summary, view.previous, view.movements, view.previous_period
on, over = f"{before.as_of:%d %b %Y}", f"{before.first_month:%b %Y} – {before.as_of:%d %b %Y}"
st.caption(f"{period.label} · all amounts in USD · changes against {over}")


top, rates = card_row(4), card_row(4)
for col, label, now, then, series in (
    (top[0], "MRR", s.mrr_cents, was.mrr_cents, moves["closing_mrr"]),
    (top[1], "ARR", s.arr_cents, was.arr_cents, moves["arr"]),
    (top[3], "ARPA", s.arpa_cents, was.arpa_cents, moves["arpa"]),
    (rates[3], "LTV estimate", s.ltv_cents, was.ltv_cents, None),
):  # fmt: skip
    kpi(col, label, now, "usd", previous=then, since=on, series=series, scale=0.01)
kpi(top[2], "Paying customers", s.customers, "count", previous=was.customers, since=on,
    series=moves["closing_customers"])  # fmt: skip
for col, label, field in (
    (rates[0], "Customer churn / mo", "customer_churn_rate"),
    (rates[1], "Gross MRR churn / mo", "gross_revenue_churn_rate"),
    (rates[2], "Net MRR churn / mo", "net_revenue_churn_rate"),
):
    kpi(col, label, getattr(s, field), "share", previous=getattr(was, field), since=over,
        series=moves[field], lower_is_better=True)  # fmt: skip

st.plotly_chart(mrr_figure(moves))
left, right = st.columns(2)
left.plotly_chart(waterfall_figure(moves))
clicked = tables.clicked_point(
    right.plotly_chart(
        movements_figure(moves), on_select="rerun", selection_mode="points", key="movement_bars"
    ),
    "movement_bars",
)
if view.reconciles:
    st.caption("✓ Every month reconciles: opening MRR + movements = closing MRR, to the cent.")
else:
    st.error("Some months do not reconcile: see the Reconciles column.")

st.subheader("MRR movements per month")
tables.show(
    moves, "mrr_movements.csv", MOVEMENT_TABLE,
    money=tables.MOVEMENT_MONEY, shares=tables.CHURN_SHARES,
)  # fmt: skip

st.subheader("Customers behind a movement")
months = {m: f"{m:%b %Y}" for m in view.moving_months} or {period.as_of.replace(day=1): "—"}
if clicked and clicked.get("customdata") in MOVEMENTS:
    ui.pick_next("movement", clicked["customdata"])
    st.session_state["movement_month"] = pd.Timestamp(clicked["x"]).date()
if st.session_state.get("movement_month") not in months:  # a month of another period
    st.session_state.pop("movement_month", None)
pickers = st.columns(2)
month = pickers[0].selectbox(
    "Month (with movements)", list(months), format_func=months.get, key="movement_month"
)
kinds = {"all": "All movements", **{m: m.title() for m in MOVEMENTS}}
kind = ui.pick(pickers[1], "Movement", kinds, key="movement")
movers = load_movement_customers(
    page_viewer("leadership"), period, month, None if kind == "all" else kind
)
net = ui.format_money(movers["change"].sum())
st.caption(f"{len(movers):,} customers · net {net} in {months[month]} (or click a movement bar)")
tables.show(movers, f"mrr_{kind}_{month:%Y_%m}.csv", MOVER_TABLE, money={"change": "Change ($)"})

st.subheader("Revenue by plan and by currency")
st.plotly_chart(plan_mrr_figure(view.by_plan))
left, right = st.columns([2, 1])
with left:
    st.markdown(f"**MRR by currency on {period.as_of:%d %b %Y}**")
    tables.show(view.by_currency, "mrr_by_currency.csv",
                ["currency", "subscriptions", "mrr_native", "rate", "mrr_usd"])  # fmt: skip
with right:
    st.markdown("**Conversion rates used**")
    tables.show(view.rates, "conversion_rates.csv", ["currency", "usd_per_unit"])
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
    tables.show(view.payments, "payments.csv", PAYMENT_TABLE,
                shares={"collection_rate": "Collected / billed"})  # fmt: skip
st.markdown(f"**Failed payments** (latest {len(view.failed_payments):,})")
tables.show(view.failed_payments, "failed_payments.csv", FAILED_TABLE)

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
