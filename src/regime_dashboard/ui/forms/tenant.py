"""The sections of the tenant form, one per kind of edit from the versions the editor loaded;
each returns what it saved (None: nothing), showing broken rules under fields, conflicts."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ...metered import LIMITED_METRICS, metric_label
from ...services import admin
from ...services.admin import Loaded, Saved, TenantDetail
from ...services.admin.rules import TENANT_ROLES
from ...viewer import Viewer
from .. import help_texts as words
from ..admin_widgets import FieldSlots, table
from ..columns import limit_texts
from ..tables import format_money
from ..text import plain

__all__ = ["SECTIONS"]


def _names(viewer: Viewer, tenant_id: str, start: Loaded, detail: TenantDetail) -> Saved | None:
    """Rename the tenant and edit its settings JSON (both from the tenant's version)."""
    tenant, version = start.tenant, {"expected_version": int(start.tenant["version"])}
    slots = FieldSlots(f"tenant-{tenant_id}-v{tenant['version']}", viewer, tenant_id)
    name = slots.text("name", "Tenant name", tenant["name"])
    rename = slots.button("Rename", "rename")
    old = tenant["settings_json"]
    settings = slots.json("settings", "Settings (JSON)", old, words.SETTINGS_HELP)
    slots.add("form")
    if slots.button("Save settings", "save-settings"):
        return slots.run(admin.update_tenant_settings, settings=settings, **version)
    return slots.run(admin.rename_tenant, name=name, **version) if rename else None


def _plan(viewer: Viewer, tenant_id: str, start: Loaded, detail: TenantDetail) -> Saved | None:
    """The subscription, and a move to another offered plan from an effective date."""
    if (sub := start.subscription) is None:
        st.info("This tenant has no subscription, so there is no plan to change.")
        return None
    price = format_money(sub["price_cents"] / 100, sub["currency"])
    st.write(words.SUBSCRIPTION.format(**sub, price=price, per=words.PER[sub["billing_cycle"]]))
    plans = admin.list_plans(viewer)
    offered = plans.loc[plans["is_active"].astype(bool) & (plans["id"] != sub["plan_id"]), "id"]
    today = dt.date.today()
    slots = FieldSlots(f"plan-{tenant_id}-v{sub['version']}", viewer, tenant_id)
    plan_id = slots.choice("plan_id", "Move to plan", list(offered))
    day = st.date_input("Effective date", today, max_value=today, key=slots.widget("date"))
    slots.add("effective_date", "form")
    if not slots.button("Change plan", "go", disabled=offered.empty):
        return None
    edit = {"expected_version": int(sub["version"]), "plan_id": plan_id, "effective_date": day}
    return slots.run(admin.change_tenant_plan, **edit)


def _quotas(viewer: Viewer, tenant_id: str, start: Loaded, detail: TenantDetail) -> Saved | None:
    """Usage against limits; set (create or replace) and clear quota overrides, from the
    override versions the editor loaded. Save stays disabled until the override is valid."""
    usage, versions = detail.usage, start.overrides
    table(usage, "usage against limits", words.USAGE_HEADINGS, read=limit_texts)  # units; raw CSV
    table(detail.overrides, "quota overrides", words.OVERRIDE_HEADINGS, read=limit_texts)
    slots = FieldSlots(f"override-{tenant_id}-{sorted(versions.items())}", viewer, tenant_id)
    metric = slots.choice("metric", "Metric", LIMITED_METRICS, format_func=metric_label)
    typed = not st.checkbox("Unlimited", key=slots.widget("unlimited"))  # chosen until typed
    limit = slots.text("limit_value", "Limit per month", "", typed, **words.LIMIT_FIELD)
    reason = slots.text("reason", "Reason", help="Required, e.g. the deal agreed.")
    expires = st.checkbox("Expires", key=slots.widget("expires"))
    day = st.date_input("Expires on (00:00 UTC)", key=slots.widget("day")) if expires else None
    slots.add("expires_at", "form")
    at = dt.datetime.combine(day, dt.time(), dt.UTC) if isinstance(day, dt.date) else None
    values = {"metric": metric, "limit_value": limit, "reason": reason, "expires_at": at}
    errors = slots.live_errors(admin.QuotaOverride, values)
    save = slots.button("Save override", "save", disabled=bool(errors))
    if versions:
        named = {metric_label(m): m for m in versions}  # API calls, not api_calls
        label = st.selectbox("Override to clear", list(named), key=slots.widget("clear"))
        if slots.confirmed("Clear override", "clear-it", f"Yes, clear the {label} override"):
            clear = {"metric": named[label], "expected_version": versions[named[label]]}
            return slots.run(admin.clear_quota_override, **clear)
    version = {"expected_version": versions.get(values["metric"])}
    return slots.run(admin.set_quota_override, values, **version) if save and not errors else None


def _members(viewer: Viewer, tenant_id: str, start: Loaded, detail: TenantDetail) -> Saved | None:
    """Members with their tenant roles: add by email, change a role, remove (from the roles
    the editor loaded; removing needs the "Yes, remove …" box ticked first)."""
    table(detail.members, "members", words.MEMBER_HEADINGS)
    roles = {email: role for email, (_, role) in start.members.items()}
    slots = FieldSlots(f"members-{tenant_id}-{sorted(roles.items())}", viewer, tenant_id)
    email = slots.text("email", "Add a member by email")
    role = st.selectbox("Tenant role", TENANT_ROLES, index=2, key=slots.widget("add-role"))
    add = slots.button("Add member", "add")
    who = st.selectbox("Member", list(roles), key=slots.widget("who"))
    new_role = slots.choice("role", "New tenant role", TENANT_ROLES)
    slots.add("user_id", "form")
    change = slots.button("Change role", "change", disabled=who is None)
    remove = slots.confirmed("Remove member", "remove", f"Yes, remove {plain(who)}", who is None)
    if add:
        return slots.run(admin.add_member, {"email": email, "role": role})
    member = {"user_id": start.members[who][0], "expected_role": roles[who]} if who else {}
    if change and who is not None:
        return slots.run(admin.change_member_role, **member, role=new_role)
    return slots.run(admin.remove_member, **member) if remove else None


SECTIONS = {
    "Name & settings": _names,
    "Plan": _plan,
    "Quota overrides": _quotas,
    "Members": _members,
}
