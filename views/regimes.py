"""Regimes: a release's regime outputs over the asset's price bars."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from regime_dashboard.charts.regimes import panels_figure, regime_price_figure, transition_figure
from regime_dashboard.services import regimes as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import date_param, pick_param, table_with_download

PCT = st.column_config.NumberColumn(format="percent")


def _table(frame: pd.DataFrame, name: str, **config: object) -> None:
    table_with_download(frame, name, config)


def _cards(cards: pd.DataFrame) -> None:
    """One metric card per watchlist asset, four to a row."""
    columns = st.columns(4)
    for i, card in enumerate(cards.itertuples()):
        trend = card.confidence_trend
        columns[i % 4].metric(
            card.asset_id,
            f"{str(card.regime).title()} · {card.days_in_regime:,} d",
            "trend n/a" if pd.isna(trend) else f"{trend * 100:+.2f} pp/day confidence",
            help=f"{card.asset_name}, release {card.version}: {card.regime} since "
            f"{card.since:%Y-%m-%d} ({card.days_in_regime:,} output days) as of "
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
tenants = sorted(releases["tenant_name"].unique())
tenant = left.selectbox("Tenant", tenants, index=pick_param("tenant", tenants), key="tenant")
tenant_id = str(releases.loc[releases["tenant_name"] == tenant, "tenant_id"].iloc[0])
of_tenant = svc.tenant_releases(scope, tenant_id=tenant_id)
assets, watched = svc.assets_watchlist_first(
    scope, tenant_id=tenant_id, user_id=viewer.user_id, assets=list(of_tenant["asset_id"].unique())
)
asset = middle.selectbox(
    "Asset (watchlist first)", assets, index=pick_param("asset", assets), key="asset"
)
middle.caption(f"On your watchlist: {', '.join(watched)}" if watched else "No watchlist here.")
of_asset = of_tenant[of_tenant["asset_id"] == asset]
versions = list(of_asset["version"])
version = right.selectbox(
    "Release", versions, index=pick_param("release", versions, len(versions) - 1), key="release"
)
release = of_asset[of_asset["version"] == version].iloc[0]

cards = svc.watchlist_cards(scope, tenant_id=tenant_id, user_id=viewer.user_id)
if not cards.empty:
    st.subheader(f"Your watchlist · {tenant}")
    _cards(cards)

if pd.isna(release["first_date"]) or pd.isna(release["last_date"]):
    st.info(f"Release {version} of {asset} has no daily outputs yet.")
    st.stop()
first, last = release["first_date"], release["last_date"]
start_default = max(first, last - dt.timedelta(days=365))
chosen = st.date_input(
    "Date range",
    value=(date_param("start", start_default, first, last), date_param("end", last, first, last)),
    min_value=first,
    max_value=last,
    key=f"range_{first}_{last}",  # new bounds: a new widget, clamped defaults
)
start, end = (*chosen, chosen[0])[:2] if isinstance(chosen, tuple) else (chosen, chosen)
st.query_params.update(
    {"tenant": tenant, "asset": asset, "release": version, "start": str(start), "end": str(end)}
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
cols[0].metric("Regime on " + latest["date"].strftime("%Y-%m-%d"), str(latest["regime"]).title())
cols[1].metric("Days in this regime", f"{int(current['days']):,}")
cols[2].metric("Confidence", f"{latest['confidence']:.0%}")
cols[3].metric("Conviction", str(latest["conviction"]).title())

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
        "- **Regime**: the engine's daily classification (bull, neutral, bear, crisis).\n"
        "- **Confidence**: the engine's certainty in [0, 1]; **conviction** buckets it "
        "(high ≥ 80 %, medium ≥ 65 %).\n"
        "- **Days / share**: output days in the range classified as the regime.\n"
        "- **Spell**: a run of consecutive output days in the same regime.\n"
        "- **Transitions**: share of days in a regime followed by a day in each regime.\n"
        "- **Forward return** over h days: close h trading days (bars) later / close on a "
        "day in the regime − 1; **hit rate** is the share above zero; **count** the days "
        "with such a return inside the range.\n"
        "- **Watchlist card**: the latest release's current regime, output days in it, and "
        "the confidence trend (slope of the last 20 confidences, percentage points per day)."
    )
