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
from regime_dashboard.ui import pick, plain, section

PARTS = ("Name & settings", "Plan", "Quota overrides", "Members")

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

names = dict(zip(tenants["tenant_id"].astype(str), tenants["name"], strict=True))
tenant_id = pick(st, "Tenant to edit", names, key="tenant", default=None, what="tenant", edit=True)
if tenant_id is None:
    st.info("Choose a tenant to edit.")
    st.stop()
tenant = tenants[tenants["tenant_id"].astype(str) == tenant_id].iloc[0].to_dict()
name = str(tenant["name"])
with st.spinner("Loading the tenant…"):
    detail = tenant_detail(viewer=viewer, tenant_id=tenant_id)
now = loaded_state(tenant, detail)
loaded = pinned(f"tenant:{tenant_id}", now)  # the versions every edit below starts from
stale_notice(f"tenant:{tenant_id}", loaded, now, "tenant")

part = section("Part of the tenant", PARTS, key="section")
if part == PARTS[0]:
    done = name_section(viewer, loaded.tenant)
elif part == PARTS[1]:
    done = plan_section(viewer, tenant_id, loaded.subscription, list_plans(viewer=viewer))
elif part == PARTS[2]:
    done = quota_section(viewer, tenant_id, detail, loaded.overrides)
else:
    done = members_section(viewer, tenant_id, detail, loaded.members)
if done is not None:
    saved(f"Saved {done.table.replace('_', ' ')} of {plain(name)}.")

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
