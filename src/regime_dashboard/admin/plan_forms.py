"""Widgets of the Plans page: the plan table, the plan form (prices typed in currency units
into text fields that keep what was typed, JSON in text areas), the impact panel with the
price policy choice, and retiring."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ..metered import LIMITED_METRICS
from ..viewer import Viewer
from .changes import Saved
from .errors import InvalidInputError
from .models import PlanUpdate, parse
from .plans import PlanImpact, restore_plan, retire_plan, stored_fields
from .rules import CURRENCIES
from .widgets import LIVE, FieldSlots, csv_button, money

__all__ = ["impact_panel", "nothing_changed", "plan_form", "plans_table", "retire_panel"]

POLICY_LABELS = {
    "grandfather": "Keep their current price (grandfathered: only new ones pay the new price)",
    "move": "Move them to the new price (one price_changed event per subscription)",
}


def _units(cents: Any) -> float | None:
    return None if cents is None or pd.isna(cents) else int(cents) / 100


def plans_table(plans: pd.DataFrame) -> pd.DataFrame:
    """The plan list for display: prices in currency units, JSON as compact text."""
    return pd.DataFrame(
        {
            "Plan": plans["id"],
            "Name": plans["name"],
            "Currency": plans["currency"],
            "Monthly price": [_units(c) for c in plans["price_monthly_cents"]],
            "Annual price": [_units(c) for c in plans["price_annual_cents"]],
            "Offered": plans["is_active"],
            "Live subscriptions": plans["live_subscriptions"],
            "Limits": [json.dumps(v, sort_keys=True) for v in plans["limits_json"]],
            "Features": [json.dumps(v, sort_keys=True) for v in plans["features_json"]],
            "Version": plans["version"],
        }
    )


def _price_text(cents: Any) -> str:
    """A stored price as the text its field starts with ("199.00"); "" for none."""
    units = _units(cents)
    return "" if units is None else f"{int(cents) // 100}.{int(cents) % 100:02d}"


def _price(label: str, cents: Any, key: str) -> str:
    """The price as typed (validated by the plan model, never rounded or clamped here)."""
    return st.text_input(
        label,
        value=_price_text(cents),
        key=key,
        placeholder="e.g. 49.90",
        help=PRICE_HELP,
        live=LIVE,
    )


PRICE_HELP = "In the plan's currency, e.g. 49 or 49.90 (digits and a decimal point)."


def _json_area(label: str, value: Any, key: str, help_text: str) -> str:
    text = json.dumps(value, indent=2) if value is not None else "{}"
    return st.text_area(label, value=text, height=170, key=key, help=help_text)


class _Form:
    """The fields of one plan form: widgets keyed by plan and version, a slot under each."""

    def __init__(self, plan: Mapping[str, Any] | None) -> None:
        self.plan, self.slots = plan, FieldSlots()
        self.raw: dict[str, Any] = {}
        self.key = f"plan-{plan['id']}-v{plan['version']}" if plan else "plan-new"

    def old(self, column: str, default: Any) -> Any:
        return self.plan[column] if self.plan is not None else default

    def field(self, name: str, value: Any) -> None:
        self.raw[name] = value
        self.slots.add(name)

    def identity(self) -> None:
        if self.plan is None:
            help_text = "e.g. team; a-z, 0-9, _ and -"
            plan_id = st.text_input("Plan id", key=f"{self.key}-id", help=help_text, live=LIVE)
            self.field("id", plan_id)
        name = st.text_input("Name", self.old("name", ""), key=f"{self.key}-name", live=LIVE)
        self.field("name", name)
        index = CURRENCIES.index(self.old("currency", "USD"))
        self.field("currency", st.selectbox("Currency", CURRENCIES, index, key=f"{self.key}-cur"))

    def prices(self) -> None:
        unit, key = self.raw["currency"], self.key
        monthly = self.old("price_monthly_cents", None)
        self.field("price_monthly_cents", _price(f"Monthly price ({unit})", monthly, f"{key}-m"))
        annual = self.old("price_annual_cents", None)
        has = st.checkbox("Has an annual price", _units(annual) is not None, key=f"{key}-has-a")
        label = f"Annual price ({unit})"
        self.field("price_annual_cents", _price(label, annual, f"{key}-a") if has else None)

    def json_fields(self) -> None:
        features = _json_area(
            "Features (JSON)",
            self.old("features_json", {}),
            f"{self.key}-f",
            "A JSON object: feature name -> true/false, a whole number or a text.",
        )
        self.field("features", features)
        rule = (
            f"A JSON object with every metric ({', '.join(LIMITED_METRICS)}) -> a whole "
            "number >= 0, or null for unlimited."
        )
        limits = _json_area(
            "Monthly limits (JSON)",
            self.old("limits_json", dict.fromkeys(LIMITED_METRICS)),
            f"{self.key}-l",
            rule,
        )
        self.field("limits", limits)
        self.slots.add("form")


def plan_form(plan: Mapping[str, Any] | None) -> tuple[dict[str, Any], FieldSlots]:
    """Widgets for every plan field, prefilled from `plan` (None: a new plan). Returns the
    input as typed for PlanCreate/PlanUpdate (which validates it) and the slots under the
    fields."""
    form = _Form(plan)
    form.identity()
    form.prices()
    form.json_fields()
    return form.raw, form.slots


def nothing_changed(plan: Mapping[str, Any], raw: Mapping[str, Any]) -> bool:
    """Whether the form, read by PlanUpdate, holds exactly the stored plan (so Save has
    nothing to do). An invalid form counts as changed: its errors say what to fix."""
    try:
        typed = parse(PlanUpdate, raw)
    except InvalidInputError:
        return False
    return stored_fields(plan) == stored_fields(typed)


OVER_LABELS = {
    "tenant_name": "Tenant",
    "metric": "Metric",
    "used": "Used this month",
    "limit_now": "Limit now",
    "limit_after": "Limit after",
    "has_override": "Override",
    "already_over": "Over already",
}
MRR_LABELS = {
    "currency": "Currency",
    "subscriptions": "Live",
    "paying": "Paying",
    "repriced": "Would be repriced",
    "mrr_now_cents": "MRR now",
    "mrr_if_moved_cents": "MRR if moved",
    "mrr_change_cents": "MRR change",
}


def _impact_metrics(impact: PlanImpact) -> None:
    cols = st.columns(3)
    cols[0].metric("Live subscriptions on the plan", f"{impact.live_subscriptions:,}")
    cols[1].metric("Tenants newly over quota", f"{impact.tenants_newly_over:,}")
    rows = impact.mrr.itertuples(index=False)
    change = ", ".join(money(r.mrr_change_cents, r.currency) for r in rows)
    cols[2].metric("MRR change if moved to the new price", change or "—")


def _over_quota_table(impact: PlanImpact) -> None:
    over = impact.over_quota.drop(columns=["tenant_id"]).rename(columns=OVER_LABELS)
    if over.empty:
        st.caption("No tenant on this plan would be over a limit this month.")
        return
    st.dataframe(over, hide_index=True)
    csv_button(over, "tenants over quota")


def _mrr_table(impact: PlanImpact) -> None:
    cents = ("mrr_now_cents", "mrr_if_moved_cents", "mrr_change_cents")
    mrr = impact.mrr.assign(**{c: impact.mrr[c] / 100 for c in cents}).rename(columns=MRR_LABELS)
    st.dataframe(mrr, hide_index=True)
    csv_button(mrr, "MRR impact")


def impact_panel(impact: PlanImpact) -> str | None:
    """Show what the edit would do; when a price changes, ask what happens to existing
    subscriptions. Returns the chosen price policy (None until chosen)."""
    st.subheader("Impact of these changes")
    _impact_metrics(impact)
    _over_quota_table(impact)
    if not impact.price_changed:
        return None
    _mrr_table(impact)
    return st.radio(
        "The price changes. Existing subscriptions should…",
        list(POLICY_LABELS),
        index=None,
        format_func=POLICY_LABELS.__getitem__,
        key="price-policy",
    )


def _restore(viewer: Viewer, plan: Mapping[str, Any], slots: FieldSlots) -> Saved | None:
    st.write("This plan is retired: existing subscriptions keep it, nobody new gets it.")
    slots.add("form")
    if not st.button("Offer this plan again", key="restore"):
        return None
    version = int(plan["version"])
    return slots.run(restore_plan, viewer=viewer, plan_id=plan["id"], expected_version=version)


def _retire(viewer: Viewer, plan: Mapping[str, Any], slots: FieldSlots) -> Saved | None:
    live = int(plan["live_subscriptions"])
    st.write(
        f"Retiring stops offering the plan. Its **{live:,}** live subscription(s) stay on it "
        "at their price."
    )
    label = "Type the number of live subscriptions to confirm"
    confirmed = st.text_input(label, key="confirm", live=LIVE) if live else "0"
    slots.add("confirmed_live_subscriptions")
    slots.add("form")
    if not st.button("Retire plan", key="retire"):
        return None
    return slots.run(
        retire_plan,
        viewer=viewer,
        plan_id=plan["id"],
        expected_version=int(plan["version"]),
        confirmed_live_subscriptions=confirmed,
    )


def retire_panel(viewer: Viewer, plan: Mapping[str, Any]) -> Saved | None:
    """Retire an offered plan (confirming its live subscriptions) or offer it again."""
    with st.expander("Retire or offer again"):
        if plan["is_active"]:
            return _retire(viewer, plan, FieldSlots())
        return _restore(viewer, plan, FieldSlots())
