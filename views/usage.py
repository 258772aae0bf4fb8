"""Usage against limits: each tenant's metered usage this calendar month against its
effective limit, the month-end projection, and a per-tenant drill-down."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.usage import tenant_usage_figure, usage_share_figure
from regime_dashboard.services.usage import USAGE_TABLE, load_tenant_usage, load_usage_view
from regime_dashboard.ui import leadership as tables
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.periods import leadership_month_header, stop_when_empty

viewer, as_of = leadership_month_header("Usage against limits", "No usage yet")
with st.spinner("Summing the month's usage…"):
    view = load_usage_view(viewer, as_of)
stop_when_empty(
    view.rows, f"No live subscription and no usage in {as_of:%B %Y}: choose another month."
)
was = view.previous
since = f"{was.month_start:%b %Y}" if was else ""
st.caption(
    f"{view.month_start:%d %b} – {view.as_of:%d %b %Y} "
    f"({view.elapsed_days} of {view.days_in_month} days) · worst first"
    + (f" · changes against {since}" if was else "")
)
cols = card_row(4)
for col, label, name, tip in (
    (cols[0], "Over limit", "over", "Tenant-metric pairs at or over their limit (≥ 100 %)."),
    (cols[1], "Near limit", "near", "Pairs at 80 % to 100 % of their limit."),
    (cols[2], "Projected over", "projected_over",
     "Pairs under their limit today that reach it by the month end at this month's daily "
     "average (used ÷ elapsed days × days in the month ≥ limit)."),
    (cols[3], "Blocked", "blocked", "Pairs whose limit is 0 (blocked): any use is over."),
):  # fmt: skip
    previous = getattr(was, name) if was else None
    kpi(col, label, getattr(view, name), "count", previous=previous, since=since,
        lower_is_better=True, help=tip)  # fmt: skip
clicked = tables.clicked_point(
    st.plotly_chart(
        usage_share_figure(view.rows), on_select="rerun", selection_mode="points", key="bars"
    ),
    "usage_bars",
)
if clicked and clicked.get("customdata"):
    ui.pick_next("tenant", str(clicked["customdata"]))
tables.show(
    tables.usage_texts(view.rows),
    "usage_against_limits.csv",
    USAGE_TABLE,
    swap=tables.USAGE_SWAP,
    limit_value=st.column_config.NumberColumn("Limit (— = unlimited)", format="localized"),
    pct_used_text="% used",
    projected_pct_text="Projected %",
    state_text="State",
)

st.subheader("Drill-down: a tenant's days")
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
tables.show(
    detail.daily,
    f"usage_{view.month_start:%Y_%m}_{name.replace(' ', '_').lower()}.csv",
    ["day", "metric", "quantity", "cumulative"],
    quantity=st.column_config.NumberColumn("Used that day", format="localized"),
)

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Used**: the metric's total in the calendar month up to the as-of day (UTC "
        "days, from the daily usage rollup).\n"
        "- **Limit**: the tenant's quota override when one is in force (set and not "
        "expired; an override without a value means unlimited), else its plan's monthly "
        "limit; no limit = unlimited.\n"
        "- **% used** = used ÷ limit. **Over**: 100 % or more; **near**: 80 % or more; a "
        "limit of 0 is **blocked** (any use is over).\n"
        "- **Projection**: the month-to-date burn rate carried to the month end, "
        "used ÷ elapsed days × days in the month. **Projected over** (by month end) counts "
        "the tenant-metric pairs under their limit today whose projection reaches it. "
        "**Reaches the limit on**: the day the "
        "running total reached the limit, or the first day it will at that rate (blank "
        "when not this month)."
    )
