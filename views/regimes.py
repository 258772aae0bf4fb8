"""Regimes: a release's regime outputs over the asset's price bars."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from regime_dashboard.charts.regimes import panels_figure, regime_price_figure, transition_figure
from regime_dashboard.labels import regime_label
from regime_dashboard.services import regimes as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import date_range, labels_of, pick, plain, table_with_download

PCT = st.column_config.NumberColumn(format="percent")


def _table(frame: pd.DataFrame, name: str, **config: object) -> None:
    table_with_download(frame, name, config)


def _cards(cards: pd.DataFrame) -> None:
    """One metric card per watchlist asset, four to a row."""
    columns = st.columns(4)
    for i, card in enumerate(cards.itertuples()):
        trend = card.confidence_trend
        columns[i % 4].metric(
            plain(card.asset_id),
            f"{regime_label(card.regime)} · {card.days_in_regime:,} d",
            "trend n/a" if pd.isna(trend) else f"{trend * 100:+.2f} pp/day confidence",
            help=f"{plain(card.asset_name)}, release {plain(card.version)}: "
            f"{plain(regime_label(card.regime))} since {card.since:%Y-%m-%d} "
            f"({card.days_in_regime:,} output days) as of "
            f"{card.last_date:%Y-%m-%d}; confidence {card.confidence:.0%}.",
            border=True,
        )


st.title("Regimes")
viewer = page_viewer("analyst")
scope = viewer.scope
releases = svc.visible_releases(scope)
if releases.empty:
    st.info(
        "No engine releases to show yet. Run `regime-dashboard seed --scale small` for demo "
        "data, or `regime-dashboard import-outputs FILE.csv ...` to load a release."
    )
    st.stop()

left, middle, right = st.columns(3)
tenants = labels_of(releases, "tenant_id", "tenant_name")
tenant_id = pick(left, "Tenant", tenants, key="tenant", what="tenant")
tenant = tenants[tenant_id]
of_tenant = svc.tenant_releases(scope, tenant_id=tenant_id)
assets, watched = svc.assets_watchlist_first(
    scope, tenant_id=tenant_id, user_id=viewer.user_id, assets=list(of_tenant["asset_id"].unique())
)
asset = pick(middle, "Asset (watchlist first)", assets, key="asset", what="asset")
middle.caption(
    f"On your watchlist: {plain(', '.join(watched))}" if watched else "No watchlist here."
)
of_asset = of_tenant[of_tenant["asset_id"] == asset]
versions = dict(zip(of_asset["release_id"].astype(str), of_asset["version"], strict=True))
release_id = pick(
    right, "Release", versions, key="release", default=len(versions) - 1, what="release"
)
release = of_asset[of_asset["release_id"].astype(str) == release_id].iloc[0]
version = versions[release_id]

cards = svc.watchlist_cards(scope, tenant_id=tenant_id, user_id=viewer.user_id)
if not cards.empty:
    st.subheader(f"Your watchlist · {plain(tenant)}")
    _cards(cards)
if notice := svc.regimes_notice(of_tenant, release_id, cards):
    st.warning(notice)

if pd.isna(release["first_date"]) or pd.isna(release["last_date"]):
    st.info(f"Release {plain(version)} of {plain(asset)} has no daily outputs yet.")
    st.stop()
first, last = release["first_date"], release["last_date"]
start_default = max(first, last - dt.timedelta(days=365))
start, end = date_range(
    st, "Date range", key="dates", default=(start_default, last), low=first, high=last
)

with st.spinner("Loading regimes…"):
    view = svc.load_regime_view(
        scope,
        tenant_id=tenant_id,
        release_id=str(release["release_id"]),
        asset_id=asset,
        start=start,
        end=end,
    )
if view.regimes.empty:
    st.info("No regime outputs in this date range: widen the range.")
    st.stop()

latest = view.regimes.iloc[-1]
current = view.spells.iloc[-1]
cols = st.columns(4)
cols[0].metric("Regime on " + latest["date"].strftime("%Y-%m-%d"), regime_label(latest["regime"]))
cols[1].metric("Days in this regime", f"{int(current['days']):,}")
cols[2].metric("Confidence", f"{latest['confidence']:.0%}")
cols[3].metric("Conviction", regime_label(latest["conviction"]))

title = f"{asset} · {release['asset_name']} · {tenant} release {version}"
st.plotly_chart(regime_price_figure(view.bars, view.regimes, view.spells, view.confidence, title))
st.plotly_chart(panels_figure(view.panels, view.spells, svc.RISK_FIELDS, "Risk"))
st.plotly_chart(panels_figure(view.panels, view.spells, svc.COMPONENT_FIELDS, "Components"))
if view.candles_merged or view.line_downsampled:
    st.caption(
        f"Long range: candles are merged into at most {svc.CANDLE_POINTS:,} periods in SQL and "
        f"each line thinned to {svc.LINE_POINTS:,} points (MinMax-LTTB), so the charts stay fast."
    )

st.subheader("Regime statistics for the range")
_table(
    view.summary.set_axis(
        ["Regime", "Days", "Share", "Average spell (days)", "Longest spell (days)"], axis=1
    ),
    "regime_summary",
    Share=PCT,
    **{"Average spell (days)": st.column_config.NumberColumn(format="%.1f")},
)
st.plotly_chart(transition_figure(view.transitions))
matrix = view.transitions.rename_axis(index="From", columns=None).reset_index()
_table(matrix, "transition_matrix", **dict.fromkeys(view.transitions.columns, PCT))
st.markdown("**Forward returns by regime** (close-to-close, in trading days)")
forward = view.forward.set_axis(
    ["Regime", "Horizon (days)", "Count", "Mean", "Median", "Hit rate"], axis=1
)
_table(forward, "forward_returns", Mean=PCT, Median=PCT, **{"Hit rate": PCT})
with st.expander("What these numbers mean"):
    st.markdown(
        "\n".join(svc.describe_labels(view.labels, plain)) + "\n"
        "- **Days / share**: output days in the range classified as the regime.\n"
        "- **Spell**: a run of consecutive output days in the same regime.\n"
        "- **Transitions**: share of days in a regime followed by a day in each regime.\n"
        "- **Forward return** over h days: close h trading days (bars) later / close on a "
        "day in the regime − 1; **hit rate** is the share above zero; **count** the days "
        "with such a return inside the range.\n"
        "- **Watchlist card**: the latest release's current regime, output days in it, and "
        "the confidence trend (slope of the last 20 confidences, percentage points per day)."
    )
