"""The watchlist star and "save as my default view" (docs/user-settings.md), for the Regimes
and Prices pages. Writes run in widget callbacks, so the rerun that follows reads them; a
stored document that cannot be read shows "settings unreadable, reset?" instead."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ..labels import regime_label
from ..services import user_settings as svc
from ..user_settings import AssetSettings, ChartDefaults, Unreadable
from ..viewer import Viewer
from .tables import format_share
from .text import plain

__all__ = ["save_default_view", "settings_unreadable", "watchlist_cards", "watchlist_star"]


def _key(kind: str, tenant_id: str, asset_id: str) -> str:
    return f"_{kind}_{tenant_id}_{asset_id}"


def _toggle(viewer: Viewer, tenant_id: str, asset_id: str) -> None:
    result = svc.toggle_watchlist(viewer, tenant_id, asset_id)
    if isinstance(result, AssetSettings):
        verb = "added to" if result.watchlist else "removed from"
        st.toast(f"{asset_id} {verb} your watchlist.")


def _reset(viewer: Viewer, tenant_id: str, asset_id: str) -> None:
    svc.reset_settings(viewer, tenant_id, asset_id)
    st.toast(f"Your settings for {asset_id} are back to the defaults.")


def settings_unreadable(
    viewer: Viewer, tenant_id: str, asset_id: str, marker: Unreadable, where: Any = st
) -> None:
    """The "settings unreadable, reset?" box with its reset button."""
    where.warning(
        f"Your settings for {plain(asset_id)} are unreadable ({plain(marker.reason)}). "
        "Reset them to the defaults?",
        icon=":material/warning:",
    )
    where.button(
        "Reset my settings",
        key=_key("reset", tenant_id, asset_id),
        on_click=_reset,
        args=(viewer, tenant_id, asset_id),
    )


def watchlist_star(viewer: Viewer, tenant_id: str, asset_id: str, where: Any = st) -> bool | None:
    """A star button adding `asset_id` to the viewer's watchlist in `tenant_id`, or removing
    it. Returns whether it is on the watchlist (None: settings unreadable, or a viewer who
    keeps no settings there: no account, or the tenant outside their scope)."""
    if viewer.user_id is None or not viewer.scope.allows(tenant_id):
        return None
    settings = svc.asset_settings(viewer, tenant_id, asset_id)
    if isinstance(settings, Unreadable):
        settings_unreadable(viewer, tenant_id, asset_id, settings, where)
        return None
    watched = settings.watchlist
    where.button(
        "★ On your watchlist" if watched else "☆ Add to watchlist",
        key=_key("star", tenant_id, asset_id),
        help="Remove from your watchlist" if watched else "Add to your watchlist",
        on_click=_toggle,
        args=(viewer, tenant_id, asset_id),
    )
    return watched


def _save_view(viewer: Viewer, tenant_id: str, asset_id: str, chart: ChartDefaults) -> None:
    if isinstance(svc.save_chart_defaults(viewer, tenant_id, asset_id, chart), AssetSettings):
        st.toast(f"Saved: {asset_id} opens this way next time (a shared link still wins).")


def save_default_view(
    viewer: Viewer, tenant_id: str, asset_id: str, chart: ChartDefaults, where: Any = st
) -> None:
    """A "Save as my default view" button keeping `chart` (the page's current range preset,
    log scale, adjusted prices and shown panels) for the viewer and this asset (nothing for
    a viewer who keeps no settings there)."""
    if viewer.user_id is None or not viewer.scope.allows(tenant_id):
        return
    where.button(
        "Save as my default view",
        key=_key("view", tenant_id, asset_id),
        on_click=_save_view,
        args=(viewer, tenant_id, asset_id, chart),
    )


def watchlist_cards(cards: pd.DataFrame, tenant_name: str, where: Any = st) -> None:
    """ "Your watchlist" (nothing when `cards` is empty): a bordered card per asset (asset ·
    output days in the regime, the regime, the confidence trend in percentage points per
    day), in a row that wraps: four across a desktop, two on a phone. cards:
    services.regimes.WATCHLIST_CARD_COLUMNS."""
    if cards.empty:
        return
    where.subheader(f"Your watchlist · {plain(tenant_name)}")
    row = where.container(horizontal=True, wrap=True)
    for card in cards.itertuples():
        trend = card.confidence_trend
        row.metric(
            f"{plain(card.asset_id)} · {card.days_in_regime:,} d",
            regime_label(card.regime),
            "trend n/a" if pd.isna(trend) else f"{trend * 100:+.2f} pp/day",
            help=f"{plain(card.asset_name)}, release {plain(card.version)}: "
            f"{plain(regime_label(card.regime))} since {card.since:%Y-%m-%d} "
            f"({card.days_in_regime:,} output days) as of "
            f"{card.last_date:%Y-%m-%d}; confidence {format_share(card.confidence)}, its trend "
            "(the delta) in percentage points per day.",
            border=True,
            width=165,
        )
