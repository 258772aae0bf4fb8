"""Plans (admin): create, edit and retire plans; see a change's impact before saving."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.admin import PlanCreate, PlanUpdate, create_plan, list_plans, update_plan
from regime_dashboard.admin import plan_impact as impact_of
from regime_dashboard.admin.models import errors_of
from regime_dashboard.admin.plan_forms import (
    impact_panel,
    nothing_changed,
    plan_form,
    plans_table,
    retire_panel,
)
from regime_dashboard.admin.widgets import csv_button, pinned, saved, show_flash, stale_notice
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import pick, pick_next, plain

viewer = page_viewer("admin")
st.title("Plans")
show_flash()

with st.spinner("Loading plans…"):
    plans = list_plans(viewer=viewer)
table = plans_table(plans)
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "Monthly price": st.column_config.NumberColumn(format="%.2f"),
        "Annual price": st.column_config.NumberColumn(format="%.2f"),
        "Live subscriptions": st.column_config.NumberColumn(format="%d"),
    },
)
csv_button(table, "plans")

NEW = "+new"  # not a possible plan id (rules.PLAN_ID), so a plan "new" stays editable
names = {str(p): f"{n} ({p})" for p, n in zip(plans["id"], plans["name"], strict=True)}
options = {**names, NEW: "➕ Create a new plan"}
choice = pick(st, "Plan to edit", options, key="plan", default=None, what="plan", edit=True)
if choice is None:
    st.info("Choose a plan to edit, or ➕ Create a new plan.")
    st.stop()
fresh = None if choice == NEW else plans[plans["id"] == choice].iloc[0].to_dict()
plan = None if fresh is None else pinned(f"plan:{choice}", fresh)  # the version edits start from
if plan is not None and fresh is not None:
    stale_notice(f"plan:{choice}", plan["version"], fresh["version"], "plan")

st.subheader(
    "New plan" if plan is None else f"Edit {plain(plan['name'])} (version {plan['version']})"
)
raw, slots = plan_form(plan)
errors = errors_of(PlanCreate if plan is None else PlanUpdate, raw)
slots.show(errors)
unchanged = plan is not None and nothing_changed(plan, raw)

policy = None
if plan is not None and not errors:
    with st.spinner("Working out the impact…"):
        policy = impact_panel(impact_of(viewer=viewer, plan_id=choice, changes=raw))
    slots.add("price_policy")

label = "Create plan" if plan is None else "Save changes"
if st.button(label, type="primary", disabled=bool(errors) or unchanged, key="save-plan"):
    if plan is None:
        done = slots.run(create_plan, viewer=viewer, plan=raw)
    else:
        done = slots.run(
            update_plan,
            viewer=viewer,
            plan_id=choice,
            expected_version=int(plan["version"]),
            changes=raw,
            price_policy=policy,
        )
    if done is not None:
        pick_next("plan", str(done.key["id"]))
        saved(f"Saved plan {plain(done.key['id'])} (version {done.version}).")
if errors:
    st.caption("Fix the fields marked above to save.")
elif unchanged:
    st.caption("Nothing to save yet: no field differs from the saved plan.")

if plan is not None and fresh is not None:
    changed = retire_panel(viewer, {**plan, "live_subscriptions": fresh["live_subscriptions"]})
    if changed is not None and changed.row is not None:
        saved(f"Plan {plain(choice)} {'offered again' if changed.row['is_active'] else 'retired'}.")

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Prices** are per billing cycle in the plan's currency; subscriptions pay in their "
        "own currency, the same amount.\n"
        "- **Limits** are per calendar month; `null` means unlimited. A tenant's quota "
        "override replaces the plan's limit for that metric.\n"
        "- **Live subscriptions**: trialing, active or past due.\n"
        "- **Tenants newly over quota**: tenants on the plan whose usage this calendar month "
        "(seats: members now) is above a new limit but not above today's.\n"
        "- **MRR**: monthly recurring revenue of active and past-due subscriptions (annual "
        "price / 12). *MRR change if moved* is the change if every live subscription paid "
        "the new price; grandfathered subscriptions keep theirs, so MRR does not change.\n"
        "- **Version**: every save increments it; if someone saved since you opened the plan, "
        "you see both versions and nothing is overwritten.\n"
        "- **Retired** plans keep their subscriptions but are offered to nobody new."
    )
