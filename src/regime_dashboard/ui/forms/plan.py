"""The plan form (prices and limits typed in their units, features as toggles and choices),
an edit's impact with the price policy choice, and retiring or offering a plan again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ...services.admin import PlanImpact, Saved, restore_plan, retire_plan
from ...services.admin.rules import CURRENCIES, KNOWN_FEATURES
from ...viewer import Viewer
from .. import help_texts as words
from ..admin_widgets import LIVE, FieldSlots, table
from ..tables import format_money
from ..text import plain

__all__ = ["impact_panel", "plan_form", "retire_panel"]


def _price(slots: FieldSlots, field: str, label: str, cents: Any, shown: bool = True) -> Any:
    """A price as typed (validated by the plan model, never rounded or clamped here); None
    when not `shown`."""
    text = "" if pd.isna(cents) else f"{int(cents) // 100}.{int(cents) % 100:02d}"
    return slots.text(field, label, text, shown, placeholder="e.g. 49.90", help=words.PRICE_HELP)


def plan_form(plan: Mapping[str, Any] | None, slots: FieldSlots) -> dict[str, Any]:
    """Widgets for every plan field, prefilled from `plan` (None: a new plan), each with its
    slot. Returns the input as typed, for PlanCreate/PlanUpdate to validate."""
    slots.key = f"plan-{plan['id']}-v{plan['version']}" if plan else "plan-new"
    old, raw = plan or words.NEW_PLAN, {}
    if plan is None:
        raw["id"] = slots.text("id", "Plan id", help="e.g. team; a-z, 0-9, _ and -")
    raw["name"] = slots.text("name", "Name", old["name"])
    at = CURRENCIES.index(old["currency"])
    raw["currency"] = unit = slots.choice("currency", "Currency", CURRENCIES, at)
    monthly, annual = "price_monthly_cents", "price_annual_cents"
    raw[monthly] = _price(slots, monthly, f"Monthly price ({unit})", old[monthly])
    has = st.checkbox("Has an annual price", not pd.isna(old[annual]), key=slots.widget("has-a"))
    raw[annual] = _price(slots, annual, f"Annual price ({unit})", old[annual], has)
    raw["limits"] = slots.limits("limits", "Monthly limits", old["limits_json"], words.LIMIT_UNITS)
    known, more = slots.features("features", "Features", old["features_json"], KNOWN_FEATURES)
    raw |= {"features": known, **({"more_features": more} if more is not None else {})}
    slots.add("form")
    return raw


def impact_panel(impact: PlanImpact) -> str | None:
    """Show what the edit would do; when a price changes, ask what happens to existing
    subscriptions. Returns the chosen price policy (None until chosen)."""
    st.subheader("Impact of these changes")
    cols = st.columns(3)
    cols[0].metric("Live subscriptions on the plan", f"{impact.live_subscriptions:,}")
    cols[1].metric("Tenants newly over quota", f"{impact.tenants_newly_over:,}")
    moved = [format_money(r.mrr_change_cents / 100, r.currency) for r in impact.mrr.itertuples()]
    cols[2].metric("MRR change if moved to the new price", ", ".join(moved) or "—")
    if impact.over_quota.empty:
        st.caption("No tenant on this plan would be over a limit this month.")
    else:
        table(impact.over_quota, "tenants over quota", words.OVER_HEADINGS)
    if not impact.price_changed:
        return None
    table(impact.mrr, "MRR impact", words.MRR_HEADINGS)
    return st.radio(
        words.POLICY_QUESTION, list(words.POLICIES), None, words.POLICIES.get, key="price-policy"
    )


def retire_panel(viewer: Viewer, plan: Mapping[str, Any]) -> Saved | None:
    """Retire an offered plan (its live subscriptions, typed to confirm, keep it at their
    price; without any, a "Yes, retire …" box confirms) or offer a retired one again."""
    slots, offered, live = FieldSlots(), bool(plan["is_active"]), int(plan["live_subscriptions"])
    with st.expander("Retire or offer again"):
        st.write(words.RETIRE_TEXT[offered].format(live=live))
        label = "Type the number of live subscriptions to confirm"
        confirmed = st.text_input(label, key="confirm", live=LIVE) if offered and live else "0"
        slots.add(*(["confirmed_live_subscriptions"] if offered else []), "form")
        act = ("Retire plan", "retire") if offered else ("Offer this plan again", "restore")
        ask = offered and not live  # with live subscriptions, typing their number confirms
        sure = not ask or st.checkbox(f"Yes, retire {plain(plan['name'])}", key="retire-sure")
        if not st.button(act[0], key=act[1], disabled=not sure):
            return None
        version = int(plan["version"])
        if offered:
            confirm = {"confirmed_live_subscriptions": confirmed}
            return slots.run(retire_plan, viewer, plan["id"], expected_version=version, **confirm)
        return slots.run(restore_plan, viewer, plan["id"], expected_version=version)
