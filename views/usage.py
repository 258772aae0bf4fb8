"""Usage against limits: each tenant's metered usage this calendar month against its
effective limit, the month-end projection, and a per-tenant drill-down."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.usage import tenant_usage_figure, usage_share_figure
from regime_dashboard.services.usage import USAGE_TABLE, load_tenant_usage, load_usage_view
from regime_dashboard.ui.periods import leadership_month_header, stop_when_empty

viewer, as_of = leadership_month_header("Usage against limits", "No usage yet")
with st.spinner("Summing the month's usage…"):
    view = load_usage_view(viewer, as_of)
stop_when_empty(
    view.rows, f"No live subscription and no usage in {as_of:%B %Y}: choose another month."
)

st.caption(
    f"{view.month_start:%d %b} – {view.as_of:%d %b %Y} "
    f"({view.elapsed_days} of {view.days_in_month} days) · worst first"
)
cols = st.columns(3)
cols[0].metric("Over the limit (≥ 100 %)", f"{view.over:,}")
cols[1].metric("Near the limit (≥ 80 %)", f"{view.near:,}")
cols[2].metric("Projected over by month end", f"{view.projected_over:,}")
st.plotly_chart(usage_share_figure(view.rows))
number = st.column_config.NumberColumn
ui.table_with_download(
    view.rows[list(USAGE_TABLE)],
    "usage_against_limits.csv",
    {
        "tenant_name": "Tenant",
        "plan_id": "Plan",
        "used": number("Used", format="localized"),
        "limit_value": number("Limit (blank = unlimited)", format="localized"),
        "limit_source": "Limit from",
        "pct_used": ui.share_column("% used"),
        "projected": number("Projected at month end", format="localized"),
        "projected_pct": ui.share_column("Projected %"),
        "crosses_on": st.column_config.DateColumn("Reaches the limit on"),
        "state": "State",
    },
)

st.subheader("Drill-down")
tenants = view.tenants
names = dict(zip(tenants["tenant_id"].astype(str), tenants["tenant_name"], strict=True))
tenant_id = ui.pick(st, "Tenant", names, key="tenant", what="tenant")
name = names[tenant_id]
with st.spinner("Loading daily usage…"):
    detail = load_tenant_usage(viewer, view, tenant_id)
if detail.daily.empty:
    st.info(f"{ui.plain(name)} has no usage in {as_of:%B %Y} yet.")
title = f"{name} · {view.month_start:%B %Y}: running total, limit and projection"
st.plotly_chart(tenant_usage_figure(detail.daily, detail.limits, detail.projection, title))
ui.table_with_download(
    detail.daily,
    f"usage_{view.month_start:%Y_%m}_{name.replace(' ', '_').lower()}.csv",
    {"day": st.column_config.DateColumn("Day"), "cumulative": "Month to date"},
)

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Used**: the metric's total in the calendar month up to the as-of day (UTC "
        "days, from the daily usage rollup).\n"
        "- **Limit**: the tenant's quota override when one is in force (set and not "
        "expired; an override without a value means unlimited), else its plan's monthly "
        "limit; no limit = unlimited.\n"
        "- **% used** = used ÷ limit. **Over**: 100 % or more; **near**: 80 % or more.\n"
        "- **Projection**: the month-to-date burn rate carried to the month end, "
        "used ÷ elapsed days × days in the month. **Reaches the limit on**: the day the "
        "running total reached the limit, or the first day it will at that rate (blank "
        "when not this month)."
    )
