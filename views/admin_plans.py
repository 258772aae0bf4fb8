"""Plans (admin): create, edit and retire plans; see a change's impact before saving."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.services import admin
from regime_dashboard.ui import admin_widgets as widgets
from regime_dashboard.ui import pick_next, plain
from regime_dashboard.ui.forms.plan import impact_panel, plan_form, retire_panel
from regime_dashboard.ui.help_texts import PICK_PLAN, PLAN_HEADINGS, PLANS_HELP

viewer = widgets.admin_page("Plans")
with st.spinner("Loading plans…"):
    plans = admin.list_plans(viewer)
widgets.table(plans, "plans", PLAN_HEADINGS, as_text=("limits_json", "features_json"))

NEW = "+new"  # not a possible plan id (rules.PLAN_ID), so a plan "new" stays editable
names = {str(p): f"{n} ({p})" for p, n in zip(plans["id"], plans["name"], strict=True)}
options = {**names, NEW: "+ Create a new plan"}
choice = widgets.pick_to_edit("Plan to edit", options, key="plan", what="plan", hint=PICK_PLAN)
fresh = None if choice == NEW else plans[plans["id"] == choice].iloc[0].to_dict()
plan = None if fresh is None else widgets.loaded(f"plan:{choice}", fresh, "plan", version="version")

editing = None if plan is None else f"Edit {plain(plan['name'])} (version {plan['version']})"
st.subheader(editing or "New plan")
slots = widgets.FieldSlots()
model = admin.PlanCreate if plan is None else admin.PlanUpdate
edit, errors = admin.validated(model, plan_form(plan, slots))
slots.show(errors)  # the form is read once: impact and save take the validated `edit`
unchanged = plan is not None and edit is not None and edit.same_as(plan)

policy = None
if plan is not None and edit is not None:
    with st.spinner("Working out the impact…"):
        policy = impact_panel(admin.plan_impact(viewer, choice, edit))
    slots.add("price_policy")

label = "Create plan" if plan is None else "Save changes"
if st.button(label, type="primary", disabled=edit is None or unchanged, key="save-plan"):
    if plan is None:
        done = slots.run(admin.create_plan, viewer, edit)
    else:
        common = {"expected_version": int(plan["version"]), "price_policy": policy}
        done = slots.run(admin.update_plan, viewer, choice, changes=edit, **common)
    if done is not None:
        pick_next("plan", str(done.key["id"]))
        widgets.saved(f"Saved plan {plain(done.key['id'])} (version {done.version}).")
if errors:
    st.caption("Fix the fields marked above to save.")
elif unchanged:
    st.caption("Nothing to save yet: no field differs from the saved plan.")

if plan is not None and fresh is not None:
    changed = retire_panel(viewer, {**plan, "live_subscriptions": fresh["live_subscriptions"]})
    if changed is not None and changed.row is not None:
        state = "offered again" if changed.row["is_active"] else "retired"
        widgets.saved(f"Plan {plain(choice)} {state}.")

widgets.explain(PLANS_HELP)
