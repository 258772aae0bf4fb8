"""Regimes: a release's regime outputs over the asset's price bars."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from regime_dashboard.charts.regimes import regime_price_figure
from regime_dashboard.services.regimes import load_regime_view, visible_releases
from regime_dashboard.session import viewer_scope
from regime_dashboard.ui import date_param, pick_param

st.title("Regimes")
scope = viewer_scope()
releases = visible_releases(scope)
if releases.empty:
    st.info(
        "No engine releases to show yet. Run `regime-dashboard seed --scale small` for demo "
        "data, or `regime-dashboard import-outputs FILE.csv ...` to load a release."
    )
    st.stop()

left, middle, right = st.columns(3)
tenants = sorted(releases["tenant_name"].unique())
tenant = left.selectbox("Tenant", tenants, index=pick_param("tenant", tenants))
of_tenant = releases[releases["tenant_name"] == tenant]
assets = sorted(of_tenant["asset_id"].unique())
asset = middle.selectbox("Asset", assets, index=pick_param("asset", assets))
of_asset = of_tenant[of_tenant["asset_id"] == asset]
versions = list(of_asset["version"])
version = right.selectbox(
    "Release", versions, index=pick_param("release", versions, len(versions) - 1)
)
release = of_asset[of_asset["version"] == version].iloc[0]

if release["first_date"] is None or release["last_date"] is None:
    st.info(f"Release {version} of {asset} has no daily outputs yet.")
    st.stop()
first, last = release["first_date"], release["last_date"]
start_default = max(first, last - dt.timedelta(days=365))
chosen = st.date_input(
    "Date range",
    value=(date_param("start", start_default, first, last), date_param("end", last, first, last)),
    min_value=first,
    max_value=last,
)
start, end = (*chosen, chosen[0])[:2] if isinstance(chosen, tuple) else (chosen, chosen)
st.query_params.update(
    {
        "tenant": tenant,
        "asset": asset,
        "release": version,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
)

with st.spinner("Loading regimes…"):
    view = load_regime_view(
        scope,
        tenant_id=str(release["tenant_id"]),
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
if view.candles_merged or view.line_downsampled:
    st.caption(
        "Long range: candles are merged into at most 2,000 periods and the confidence "
        "line thinned to 4,000 points (MinMax-LTTB), so the chart stays fast."
    )

st.subheader("Regime statistics for the range")
summary = view.summary.rename(
    columns={
        "regime": "Regime",
        "days": "Days",
        "share": "Share",
        "avg_spell_days": "Average spell (days)",
        "longest_spell_days": "Longest spell (days)",
    }
)
st.dataframe(
    summary,
    hide_index=True,
    column_config={
        "Share": st.column_config.NumberColumn(format="percent"),
        "Average spell (days)": st.column_config.NumberColumn(format="%.1f"),
    },
)
with st.expander("What these numbers mean"):
    st.markdown(
        "- **Regime**: the engine's daily classification (bull, neutral, bear, crisis).\n"
        "- **Confidence**: the engine's certainty in [0, 1]; **conviction** buckets it "
        "(high ≥ 80 %, medium ≥ 65 %).\n"
        "- **Days / share**: output days in the range classified as the regime.\n"
        "- **Spell**: a run of consecutive output days in the same regime."
    )
