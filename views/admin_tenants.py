"""Tenants (admin): a searchable grid of tenants; rename, settings, plan changes, quota
overrides and members of the one opened."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.services import admin
from regime_dashboard.ui import admin_widgets as widgets
from regime_dashboard.ui import pick_next, plain, section
from regime_dashboard.ui.forms.tenant import SECTIONS
from regime_dashboard.ui.help_texts import GRID_HEADINGS, PICK_TENANT, TENANTS_HELP

viewer = widgets.admin_page("Tenants")
with st.spinner("Loading tenants…"):
    tenants = admin.tenant_grid(viewer)
widgets.stop_when_empty(tenants, "No tenants yet. Run `regime-dashboard seed` for demo data.")
widgets.usage_month_caption()
if (clicked := widgets.grid(tenants, "tenants", GRID_HEADINGS, key="tenants")) is not None:
    pick_next("tenant", clicked)  # the picker below (kept in the URL) opens the clicked row

names = dict(zip(tenants["tenant_id"].astype(str), tenants["name"], strict=True))
pick = {"key": "tenant", "what": "tenant", "hint": PICK_TENANT}
tenant_id = widgets.pick_to_edit("Tenant to edit", names, **pick)
listed = admin.list_tenants(viewer)
tenant = listed[listed["tenant_id"].astype(str) == tenant_id].iloc[0].to_dict()
with st.spinner("Loading the tenant…"):
    detail = admin.tenant_detail(viewer, tenant_id)
start = widgets.loaded(f"tenant:{tenant_id}", admin.loaded_state(tenant, detail), "tenant")

part = section("Part of the tenant", list(SECTIONS), key="section")
done = SECTIONS[part](viewer, tenant_id, start, detail)
if done is not None:
    widgets.saved(f"Saved {done.table.replace('_', ' ')} of {plain(tenant['name'])}.")

widgets.explain(TENANTS_HELP)
