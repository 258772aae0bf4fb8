"""Alert pieces (docs/user-settings.md): the rules panel of an asset (Regimes), the list of
the viewer's unread alerts with "mark read" (Home) and the unread count (sidebar)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ..services import alerts as svc
from ..services.user_settings import asset_settings
from ..user_settings import AlertRule, Unreadable
from ..viewer import Viewer
from .tables import MISSING
from .text import plain
from .watchlist import settings_unreadable

__all__ = ["alert_rules_panel", "sidebar_alert_count", "unread_alerts_list"]

KIND_NAMES = {
    "regime_change": "Regime change",
    "confidence_below": "Confidence below",
    "confidence_above": "Confidence above",
    "conviction_change": "Conviction change",
    "data_mismatch": "Inputs changed",
}
SIMPLE = ("regime_change", "conviction_change", "data_mismatch")
CHECKS = {
    "regime_change": "Regime changes",
    "conviction_change": "Conviction changes",
    "data_mismatch": "This release's input bars no longer match its stored data hash",
}
MISMATCH_SAID = "input data changed since release"  # a data_mismatch alert, for people


def _thresholds(rules: tuple[AlertRule, ...], kind: str) -> float | None:
    return next((r.threshold for r in rules if r.kind == kind), None)


def _rule_inputs(form: Any, rules: tuple[AlertRule, ...], key: str) -> list[dict[str, Any]]:
    """The form's checkboxes and thresholds; returns the rules they describe."""
    chosen: list[dict[str, Any]] = []
    kinds = {r.kind for r in rules}
    for kind, label in CHECKS.items():
        if form.checkbox(label, value=kind in kinds, key=f"{key}_{kind}"):
            chosen.append({"kind": kind})
    for kind, label in (("confidence_below", "falls below"), ("confidence_above", "rises above")):
        left, right = form.columns([2, 1])
        stored = _thresholds(rules, kind)
        on = left.checkbox(f"Confidence {label}", value=stored is not None, key=f"{key}_{kind}")
        percent = right.number_input(
            "Threshold (%)", 0, 100, round((stored or 0.6) * 100), key=f"{key}_{kind}_pct"
        )
        if on:
            chosen.append({"kind": kind, "threshold": percent / 100})
    return chosen


def alert_rules_panel(
    viewer: Viewer, tenant_id: str, asset_id: str, where: Any = st, *, offer_reset: bool = True
) -> None:
    """The viewer's alert rules on `asset_id` in `tenant_id` and their webhook, as a form
    (a caption for a viewer who keeps no settings there). An unreadable document offers its
    reset here, or (`offer_reset=False`: the page's watchlist star already does) says so."""
    if viewer.user_id is None or not viewer.scope.allows(tenant_id):
        where.caption("Alert rules are kept per account, in your own tenants.")
        return
    settings = asset_settings(viewer, tenant_id, asset_id)
    if isinstance(settings, Unreadable):
        if offer_reset:
            settings_unreadable(viewer, tenant_id, asset_id, settings, where)
        else:
            where.caption("Your settings for this asset are unreadable: reset them above.")
        return
    key = f"_alerts_{tenant_id}_{asset_id}"
    form = where.form(key)
    form.markdown(f"**Alert me about {plain(asset_id)} when**")
    chosen = _rule_inputs(form, settings.alerts, key)
    webhook = form.text_input(
        "Webhook (optional: a JSON POST per alert, Slack-compatible)",
        value=settings.webhook_url or "",
        key=f"{key}_webhook",
        placeholder="https://hooks.slack.com/services/…",
    )
    if form.form_submit_button("Save alert rules"):
        try:
            saved = svc.save_alert_settings(viewer, tenant_id, asset_id, chosen, webhook)
        except svc.InvalidRuleError as exc:
            where.error(f"Not saved: {plain(str(exc))}")
            return
        if isinstance(saved, Unreadable):
            settings_unreadable(viewer, tenant_id, asset_id, saved, where)
            return
        where.success(f"Saved {len(saved.alerts)} alert rule(s) for {plain(asset_id)}.")


def _change(alerts: pd.DataFrame) -> pd.Series:
    """Each alert's change in words: "from → to", or MISMATCH_SAID for a data_mismatch
    alert (whose from/to are the stored and recomputed data hashes, kept in its payload)."""
    moved = alerts["from_value"].fillna("–") + " → " + alerts["to_value"].fillna("–")
    return moved.where(alerts["kind"] != "data_mismatch", MISMATCH_SAID.capitalize())


def _label(alert: pd.Series) -> str:
    """An alert's line in the "mark read" picker: its stored text, or for a data_mismatch
    alert the asset, tenant and release with MISMATCH_SAID (no hashes)."""
    if alert["kind"] != "data_mismatch":
        return str(alert["text"] or "")
    where = f"{alert['asset_id']} ({alert['tenant_name']}, release {alert['version']})"
    return f"{where}: {MISMATCH_SAID} (checked {alert['date']})"


def _shown(alerts: pd.DataFrame) -> pd.DataFrame:
    """The list as shown: asset, tenant, release, date, what, from → to (in words for a
    data_mismatch alert), confidence."""
    return pd.DataFrame(
        {
            "Asset": alerts["asset_id"],
            "Tenant": alerts["tenant_name"],
            "Release": alerts["version"],
            "Date": alerts["date"],
            "Alert": alerts["kind"].map(lambda k: KIND_NAMES.get(k, k)),
            "From → to": _change(alerts),
            "Confidence": alerts["confidence"],
        }
    )


def _mark(viewer: Viewer, ids: list[str], picker: str | None) -> None:
    marked = svc.mark_read(viewer, ids)
    if picker is not None:
        st.session_state[picker] = []
    st.toast(f"{marked} alert(s) marked read.")


def unread_alerts_list(viewer: Viewer, where: Any = st) -> int:
    """The viewer's unread alerts, newest first, with "mark read" for some or all of them.
    Returns how many are listed (0 for viewers without analyst pages)."""
    if not viewer.can("analyst") or viewer.user_id is None:
        return 0
    alerts = svc.unread_alerts(viewer)
    where.subheader("Your unread alerts")
    if alerts.empty:
        where.caption("No unread alerts. Set alert rules on an asset on the Regimes page.")
        return 0
    percent = st.column_config.NumberColumn(format="percent")
    where.dataframe(
        _shown(alerts), hide_index=True, column_config={"Confidence": percent}, placeholder=MISSING
    )
    labels = {a["notification_id"]: _label(a) for _, a in alerts.iterrows()}
    picker = "_alerts_to_mark"
    chosen = where.multiselect(
        "Alerts to mark read", list(labels), format_func=labels.get, key=picker
    )
    left, right = where.columns(2)
    left.button(
        "Mark selected read",
        on_click=_mark,
        args=(viewer, list(chosen), picker),
        disabled=not chosen,
        key="_alerts_mark_selected",
    )
    right.button(
        "Mark all read", on_click=_mark, args=(viewer, list(labels), picker), key="_alerts_mark_all"
    )
    return len(alerts)


def sidebar_alert_count(viewer: Viewer) -> int:
    """The viewer's unread alert count in the sidebar (nothing for viewers without analyst
    pages, or with none unread). Returns the count."""
    if not viewer.can("analyst") or viewer.user_id is None:
        return 0
    count = svc.unread_count(viewer)
    if count:
        alerts = f"**{count:,}** unread alert{'s' * (count != 1)}"
        st.sidebar.markdown(f":material/notifications: {alerts} (on Home)")
    return count
