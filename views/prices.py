"""Prices: any asset's daily bars, its return distribution and data-quality flags."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from regime_dashboard.charts.prices import price_figure, returns_histogram_figure
from regime_dashboard.services import prices as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import date_param, pick_param, table_with_download

STALE_RUNS = list(range(2, 21))
GAP_PERCENTS = [1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 50.0]
GAP_LABELS = {"close_to_open": "close → open", "close_to_close": "close → close"}
YES_NO = ["0", "1"]


def _table(frame: pd.DataFrame, name: str, **config: object) -> None:
    table_with_download(frame, name, config)


st.title("Prices")
viewer = page_viewer("analyst")
assets = svc.visible_assets(viewer.scope).dropna(subset=["first_date"])
if assets.empty:
    st.info(
        "No price bars yet. Run `regime-dashboard seed --scale small` for demo data, or "
        "`regime-dashboard import-bars FILE.csv --asset SYMBOL` to load an asset's bars."
    )
    st.stop()

ids = list(assets["id"])
top = st.columns([2, 3, 1, 1])
asset_id = top[0].selectbox("Asset", ids, index=pick_param("asset", ids), key="asset")
asset = assets[assets["id"] == asset_id].iloc[0]
first, last = asset["first_date"], asset["last_date"]
chosen = top[1].date_input(
    "Date range",
    value=(
        date_param("start", max(first, last - dt.timedelta(days=365)), first, last),
        date_param("end", last, first, last),
    ),
    min_value=first,
    max_value=last,
    key=f"range_{first}_{last}",  # new bounds: a new widget, clamped defaults
)
start, end = (*chosen, chosen[0])[:2] if isinstance(chosen, tuple) else (chosen, chosen)
adjusted = top[2].toggle("Adjusted", value=bool(pick_param("adjusted", YES_NO)), key="adjusted")
log_scale = top[3].toggle("Log scale", value=bool(pick_param("log", YES_NO)), key="log")
checks = st.columns(3)
stale_min = checks[0].selectbox(
    "Stale run: identical closes", STALE_RUNS, index=pick_param("stale", STALE_RUNS, 1), key="stale"
)
gap_pct = checks[1].selectbox(
    "Gap threshold (%)", GAP_PERCENTS, index=pick_param("gap", GAP_PERCENTS, 3), key="gap"
)
gap_kind = checks[2].selectbox(
    "Gap measured",
    svc.GAP_KINDS,
    index=pick_param("gap_kind", svc.GAP_KINDS),
    key="gap_kind",
    format_func=GAP_LABELS.get,
)
st.query_params.update(
    {
        "asset": asset_id,
        "start": str(start),
        "end": str(end),
        "adjusted": str(int(adjusted)),
        "log": str(int(log_scale)),
        "stale": str(stale_min),
        "gap": str(gap_pct),
        "gap_kind": gap_kind,
    }
)

with st.spinner("Loading bars…"):
    view = svc.load_price_view(
        viewer.scope,
        asset_id=asset_id,
        calendar=asset["calendar"],
        start=start,
        end=end,
        adjusted=adjusted,
        stale_min=stale_min,
        gap_threshold=gap_pct / 100,
        gap_kind=gap_kind,
    )
if view.bars == 0:
    st.info("No bars in this date range: widen the range.")
    st.stop()

kind = "adjusted" if adjusted else "raw"
st.plotly_chart(
    price_figure(view.candles, f"{asset_id} · {asset['name']} ({kind})", log_scale=log_scale)
)
if view.candles_merged:
    st.caption(
        f"Long range: {view.bars:,} bars merged in SQL into {len(view.candles):,} candles "
        "(first open, highest high, lowest low, last close, summed volume)."
    )
st.plotly_chart(returns_histogram_figure(view.histogram, f"Daily returns ({kind} closes)"))

st.subheader("Data quality")
summary = view.quality.summary
(st.warning if view.quality.total else st.success)(
    f"{view.quality.total:,} issue(s) in {view.bars:,} bars from {start} to {end} "
    f"({asset['calendar']} calendar)."
)
_table(summary.set_axis(["Check", "Issues"], axis=1), "quality_summary")
details = {
    "missing_sessions": view.quality.missing,
    "non_positive_prices": view.quality.non_positive,
    "high_below_low": view.quality.high_below_low,
    "stale_closes": view.quality.stale,
    "gaps": view.quality.gaps,
}
for (name, frame), label in zip(details.items(), summary["check"], strict=True):
    if not frame.empty:
        with st.expander(f"{label}: {len(frame):,}"):
            _table(frame, name, gap=st.column_config.NumberColumn("Gap", format="percent"))
with st.expander("What these numbers mean"):
    st.markdown(
        "- **Adjusted**: prices scaled by adj_close / close (dividends, splits); assets "
        "without an adjusted close keep their raw prices. Quality checks use raw prices.\n"
        "- **Daily return**: close / previous bar's close − 1, binned into 60 equal bins.\n"
        "- **Missing sessions**: sessions of the asset's calendar (weekdays less US exchange "
        "holidays for `trading_252`, every day for `calendar_365`) without a bar.\n"
        "- **Non-positive prices / high below low**: bars that cannot be right.\n"
        "- **Stale closes**: runs of at least N consecutive bars with the same close.\n"
        "- **Gaps**: bars whose open (close → open) or close (close → close) is more than the "
        "threshold away from the previous close."
    )
