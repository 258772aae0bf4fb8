"""Widgets of the Tenants page, one section per kind of edit. Each returns what it saved
(None when nothing was saved), showing broken rules under their fields and conflicts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from ..metered import LIMITED_METRICS
from ..ui import plain
from ..viewer import Viewer
from .changes import Saved
from .models import QuotaOverride, errors_of
from .rules import TENANT_ROLES
from .tenants import (
    TenantDetail,
    add_member,
    change_member_role,
    change_tenant_plan,
    clear_quota_override,
    remove_member,
    rename_tenant,
    set_quota_override,
    update_tenant_settings,
)
from .widgets import LIVE, FieldSlots, csv_button, money

__all__ = [
    "Loaded",
    "live_errors",
    "loaded_state",
    "members_section",
    "name_section",
    "plan_section",
    "quota_section",
]


@dataclass(frozen=True)
class Loaded:
    """What the editor loaded: every edit on the Tenants page starts from these versions
    (kept across reruns with widgets.pinned), so a save after someone else's is a conflict."""

    tenant: dict[str, Any]  # tenant_id, name, settings_json, version
    subscription: dict[str, Any] | None  # id, plan_id, status, billing_cycle, price, version
    overrides: dict[str, int]  # metric -> version
    members: dict[str, tuple[str, str]]  # email -> (user_id, tenant role)


def loaded_state(tenant: Mapping[str, Any], detail: TenantDetail) -> Loaded:
    sub = None
    if not detail.subscription.empty:
        row = detail.subscription.iloc[0]
        sub = {
            c: row[c]
            for c in (
                "subscription_id",
                "plan_id",
                "status",
                "billing_cycle",
                "price_cents",
                "currency",
                "version",
            )
        }
    o, m = detail.overrides, detail.members
    return Loaded(
        tenant={c: tenant[c] for c in ("tenant_id", "name", "settings_json", "version")},
        subscription=sub,
        overrides={k: int(v) for k, v in zip(o["metric"], o["version"], strict=True)},
        members={
            e: (str(u), r) for e, u, r in zip(m["email"], m["user_id"], m["role"], strict=True)
        },
    )


def name_section(viewer: Viewer, tenant: Mapping[str, Any]) -> Saved | None:
    """Rename the tenant and edit its settings JSON (both from the tenant's version)."""
    tid, version = str(tenant["tenant_id"]), int(tenant["version"])
    key, slots = f"tenant-{tid}-v{version}", FieldSlots()
    name = st.text_input("Tenant name", value=tenant["name"], key=f"{key}-name")
    slots.add("name")
    rename = st.button("Rename", key=f"{key}-rename")
    settings = st.text_area(
        "Settings (JSON)",
        value=json.dumps(tenant["settings_json"], indent=2),
        height=150,
        key=f"{key}-settings",
        help="A JSON object. timezone: an IANA zone; report_currency: an allowed currency.",
    )
    slots.add("settings")
    slots.add("form")
    save_settings = st.button("Save settings", key=f"{key}-save-settings")
    common = {"viewer": viewer, "tenant_id": tid, "expected_version": version}
    if rename:
        return slots.run(rename_tenant, **common, name=name)
    if save_settings:
        return slots.run(update_tenant_settings, **common, settings=settings)
    return None


def plan_section(
    viewer: Viewer, tenant_id: str, sub: Mapping[str, Any] | None, plans: pd.DataFrame
) -> Saved | None:
    """The subscription, and a move to another offered plan from an effective date."""
    if sub is None:
        st.info("This tenant has no subscription, so there is no plan to change.")
        return None
    price = money(sub["price_cents"], sub["currency"])
    st.write(
        f"**{sub['plan_id']}** · {sub['status']} · {sub['billing_cycle']} · {price} per "
        f"{'year' if sub['billing_cycle'] == 'annual' else 'month'} · version {sub['version']}"
    )
    offered = [p for p, on in zip(plans["id"], plans["is_active"], strict=True) if on]
    choices = [p for p in offered if p != sub["plan_id"]]
    key, slots = f"plan-{tenant_id}-v{sub['version']}", FieldSlots()
    new_plan = st.selectbox("Move to plan", choices, key=f"{key}-plan")
    slots.add("plan_id")
    today = dt.datetime.now(dt.UTC).date()
    effective = st.date_input("Effective date", value=today, max_value=today, key=f"{key}-date")
    slots.add("effective_date")
    slots.add("form")
    if st.button("Change plan", key=f"{key}-go", disabled=not choices):
        return slots.run(
            change_tenant_plan,
            viewer=viewer,
            tenant_id=tenant_id,
            expected_version=int(sub["version"]),
            plan_id=new_plan,
            effective_date=effective,
        )
    return None


def _usage_table(detail: TenantDetail) -> None:
    usage = detail.usage.rename(
        columns={
            "metric": "Metric",
            "used": "Used this month",
            "plan_limit": "Plan limit",
            "has_override": "Override",
            "override_limit": "Override limit",
            "limit": "Limit",
            "used_share": "Used share",
            "over": "Over",
        }
    )
    st.dataframe(
        usage,
        hide_index=True,
        column_config={"Used share": st.column_config.NumberColumn(format="percent")},
    )
    csv_button(usage, "usage against limits")


def _override_input(key: str, slots: FieldSlots) -> dict[str, Any]:
    """The override fields as typed: the limit is a text field that starts empty (no
    override value is chosen until the admin types one) unless Unlimited is ticked."""
    metric = st.selectbox("Metric", LIMITED_METRICS, key=f"{key}-metric")
    slots.add("metric")
    unlimited = st.checkbox("Unlimited", key=f"{key}-unlimited")
    limit = None
    if not unlimited:
        limit = st.text_input(
            "Limit per month",
            key=f"{key}-limit",
            placeholder="e.g. 100000",
            help="A whole number (digits only); 0 allows no use. Tick Unlimited for no limit.",
            live=LIVE,
        )
    slots.add("limit_value")
    reason = st.text_input(
        "Reason", key=f"{key}-reason", help="Required, e.g. the deal agreed.", live=LIVE
    )
    slots.add("reason")
    expires = st.checkbox("Expires", key=f"{key}-expires")
    day = st.date_input("Expires on (00:00 UTC)", key=f"{key}-day") if expires else None
    slots.add("expires_at")
    at = dt.datetime.combine(day, dt.time(), dt.UTC) if isinstance(day, dt.date) else None
    return {"metric": metric, "limit_value": limit, "reason": reason, "expires_at": at}


FIELD_LABELS = {"limit_value": "a limit per month", "reason": "a reason"}


def live_errors(
    model: type[BaseModel], values: Mapping[str, Any], slots: FieldSlots
) -> dict[str, str]:
    """Check `values` with `model` as the admin types: the broken rules of fields typed in
    appear under them; fields still blank are named in one caption instead. Returns every
    broken rule (Save stays disabled while there is any)."""
    errors = errors_of(model, values)
    blank = [f for f in errors if isinstance(values.get(f), str) and not values[f].strip()]
    slots.show({f: m for f, m in errors.items() if f not in blank})
    if blank:
        needed = " and ".join(FIELD_LABELS.get(f, f.replace("_", " ")) for f in blank)
        st.caption(f"To save, type {needed}.")
    return errors


def quota_section(
    viewer: Viewer, tenant_id: str, detail: TenantDetail, versions: dict[str, int]
) -> Saved | None:
    """Usage against limits; set (create or replace) and clear quota overrides, from the
    override `versions` the editor loaded. Save stays disabled until the override is valid."""
    _usage_table(detail)
    st.dataframe(detail.overrides, hide_index=True)
    csv_button(detail.overrides, "quota overrides")
    key, slots = f"override-{tenant_id}-{sorted(versions.items())}", FieldSlots()
    values = _override_input(key, slots)
    slots.add("form")
    errors = live_errors(QuotaOverride, values, slots)
    save = st.button("Save override", key=f"{key}-save", disabled=bool(errors))
    metric = clear = None
    if versions:
        metric = st.selectbox("Override to clear", list(versions), key=f"{key}-clear-metric")
        clear = st.button("Clear override", key=f"{key}-clear")
    common = {"viewer": viewer, "tenant_id": tenant_id}
    if save and not errors:
        version = versions.get(values["metric"])
        return slots.run(set_quota_override, **common, override=values, expected_version=version)
    if clear and metric is not None:
        return slots.run(
            clear_quota_override, **common, metric=metric, expected_version=versions[metric]
        )
    return None


def members_section(
    viewer: Viewer, tenant_id: str, detail: TenantDetail, loaded: dict[str, tuple[str, str]]
) -> Saved | None:
    """Members with their tenant roles: add by email, change a role, remove (from the roles
    the editor loaded; removing needs the "Yes, remove …" box ticked first)."""
    st.dataframe(detail.members.drop(columns=["user_id"]), hide_index=True)
    csv_button(detail.members, "members")
    roles = {email: role for email, (_, role) in loaded.items()}
    key, slots = f"members-{tenant_id}-{sorted(roles.items())}", FieldSlots()
    email = st.text_input("Add a member by email", key=f"{key}-email")
    slots.add("email")
    role = st.selectbox("Tenant role", TENANT_ROLES, index=2, key=f"{key}-role")
    add = st.button("Add member", key=f"{key}-add")
    who = st.selectbox("Member", list(roles), key=f"{key}-who")
    new_role = st.selectbox("New tenant role", TENANT_ROLES, key=f"{key}-new-role")
    slots.add("role")
    slots.add("user_id")
    slots.add("form")
    change = st.button("Change role", key=f"{key}-change", disabled=who is None)
    sure = who is not None and st.checkbox(f"Yes, remove {plain(who)}", key=f"{key}-sure-{who}")
    remove = st.button("Remove member", key=f"{key}-remove", disabled=not sure)
    if add:
        member = {"email": email, "role": role}
        return slots.run(add_member, viewer=viewer, tenant_id=tenant_id, member=member)
    if who is None:
        return None
    common = {"viewer": viewer, "tenant_id": tenant_id, "user_id": loaded[who][0]}
    if change:
        return slots.run(change_member_role, **common, expected_role=roles[who], role=new_role)
    if remove and sure:
        return slots.run(remove_member, **common, expected_role=roles[who])
    return None
