"""Tenants (admin): rename, settings, plan changes, quota overrides and members."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.admin import list_plans, list_tenants, tenant_detail
from regime_dashboard.admin.tenant_forms import (
    loaded_state,
    members_section,
    name_section,
    plan_section,
    quota_section,
)
from regime_dashboard.admin.widgets import csv_button, pinned, saved, show_flash, stale_notice
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import pick_param

viewer = page_viewer("admin")
st.title("Tenants")
show_flash()

with st.spinner("Loading tenants…"):
    tenants = list_tenants(viewer=viewer)
if tenants.empty:
    st.info("There are no tenants yet. Run `regime-dashboard seed --scale small` for demo data.")
    st.stop()
overview = tenants.drop(columns=["tenant_id", "settings_json", "updated_at"]).rename(
    columns={
        "name": "Tenant",
        "version": "Version",
        "plan_id": "Plan",
        "subscription_status": "Status",
        "members": "Members",
    }
)
st.dataframe(overview, hide_index=True)
csv_button(overview, "tenants")

names = list(tenants["name"])
name = st.selectbox("Tenant to edit", names, index=pick_param("tenant", names))
st.query_params.update({"tenant": name})
tenant = tenants[tenants["name"] == name].iloc[0].to_dict()
tenant_id = str(tenant["tenant_id"])
with st.spinner("Loading the tenant…"):
    detail = tenant_detail(viewer=viewer, tenant_id=tenant_id)
now = loaded_state(tenant, detail)
loaded = pinned(f"tenant:{tenant_id}", now)  # the versions every edit below starts from
stale_notice(f"tenant:{tenant_id}", loaded, now, "tenant")

names_tab, plan_tab, quota_tab, members_tab = st.tabs(
    ["Name & settings", "Plan", "Quota overrides", "Members"]
)
with names_tab:
    done = name_section(viewer, loaded.tenant)
with plan_tab:
    done = plan_section(viewer, tenant_id, loaded.subscription, list_plans(viewer=viewer)) or done
with quota_tab:
    done = quota_section(viewer, tenant_id, detail, loaded.overrides) or done
with members_tab:
    done = members_section(viewer, tenant_id, detail, loaded.members) or done
if done is not None:
    if done.table == "tenants" and done.row is not None:
        st.query_params.update({"tenant": done.row["name"]})
    saved(f"Saved {done.table.replace('_', ' ')} of {name}.")

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Used this month**: usage of the calendar month so far (UTC); for **seats**, the "
        "tenant's members now.\n"
        "- **Limit**: the tenant's quota override when it has an active one, else its plan's "
        "monthly limit; empty = unlimited. **Used share** = used / limit.\n"
        "- **Plan change**: the subscription moves to the new plan's price for its billing "
        "cycle (in its own currency) and gets an upgraded or downgraded event dated at the "
        "effective date (today: now; earlier days: 00:00 UTC, after the latest event).\n"
        "- **Version**: each save increments it; if someone saved since you opened the page, "
        "you see both versions and nothing is overwritten.\n"
        "- A tenant always keeps at least one **owner**."
    )
