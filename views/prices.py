"""Prices: any asset's daily bars, its return distribution and data-quality flags."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.charts.prices import price_figure, returns_histogram_figure
from regime_dashboard.services import prices as svc
from regime_dashboard.services.user_settings import star_tenants
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import BIND, labels_of, pick, share_column, show_table
from regime_dashboard.ui.chart_controls import PLOTLY_CONFIG as CONFIG
from regime_dashboard.ui.chart_controls import open_chart_view, range_and_dates, saved_chart
from regime_dashboard.ui.pickers import pick_priced_asset
from regime_dashboard.ui.watchlist import save_default_view, watchlist_star
from regime_dashboard.user_settings import range_start

STALE_RUNS = list(range(2, 21))
GAP_PERCENTS = [1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 50.0]
GAP_LABELS = {"close_to_open": "close → open", "close_to_close": "close → close"}


st.title("Prices")
viewer = page_viewer("analyst")
asset, top = pick_priced_asset(
    viewer,
    [3, 3, 2],
    nothing_yet="No price bars yet. Run `regime-dashboard seed --scale small` for demo data, "
    "or `regime-dashboard import-bars FILE.csv --asset SYMBOL` to load an asset's bars.",
)
tenants = labels_of(star_tenants(viewer), "tenant_id", "tenant_name")
tenant_id = pick(top[1], "Watchlist of", tenants, key="tenant", what="tenant") if tenants else None
chart = saved_chart(viewer, tenant_id, asset.asset_id)
first, last = asset.first_date, asset.last_date
opened = {"range": chart.range, "dates": (range_start(chart.range, first, last), last)}
opened |= {"adjusted": chart.adjusted, "log": chart.log_scale}
open_chart_view((tenant_id, asset.asset_id), chart, opened)
if tenant_id is not None:
    watchlist_star(viewer, tenant_id, asset.asset_id, top[2])
row = st.columns([3, 3, 1, 1], vertical_alignment="bottom")
(start, end), preset = range_and_dates(row[0], row[1], first, last, chart)
adjusted = row[2].toggle("Adjusted", value=chart.adjusted, key="adjusted", bind=BIND)
log_scale = row[3].toggle("Log scale", value=chart.log_scale, key="log", bind=BIND)
checks = st.columns(3)
stale_min = pick(checks[0], "Stale run: identical closes", STALE_RUNS, key="stale", default=1)
gap_pct = pick(checks[1], "Gap threshold (%)", GAP_PERCENTS, key="gap", default=3)
gap_kind = pick(
    checks[2], "Gap measured", {k: GAP_LABELS[k] for k in svc.GAP_KINDS}, key="gap_kind"
)

with st.spinner("Loading bars…"):
    view = svc.load_prices_view(
        viewer,
        asset.asset_id,
        start,
        end,
        adjusted=adjusted,
        quality=svc.QualitySettings(stale_min, gap_pct / 100, gap_kind),
    )
if view.notice:
    st.warning(view.notice)
if view.bars == 0:
    st.info("No bars in this date range: widen the range.")
    st.stop()

kind = "adjusted" if adjusted else "raw"
title = f"{asset.asset_id} · {asset.name} ({kind})"
st.plotly_chart(price_figure(view.candles, title, log_scale=log_scale), config=CONFIG)
if tenant_id is not None:
    shown = {"range": preset or chart.range, "adjusted": adjusted, "log_scale": log_scale}
    save_default_view(viewer, tenant_id, asset.asset_id, chart.model_copy(update=shown))
if view.candles_merged:
    st.caption(
        f"Long range: {view.bars:,} bars merged in SQL into {len(view.candles):,} candles "
        "(first open, highest high, lowest low, last close, summed volume)."
    )
histogram = returns_histogram_figure(view.histogram, f"Daily returns ({kind} closes)")
st.plotly_chart(histogram, config=CONFIG)

st.subheader("Data quality")
summary = view.quality.summary
(st.warning if view.quality.total else st.success)(
    f"{view.quality.total:,} issue(s) in {view.bars:,} bars from {start} to {end} "
    f"({asset.calendar} calendar)."
)
show_table(summary.set_axis(["Check", "Issues"], axis=1), "quality_summary")
details = {
    "missing_sessions": view.quality.missing,
    "non_positive_prices": view.quality.non_positive,
    "high_below_low": view.quality.high_below_low,
    "stale_closes": view.quality.stale,
    "gaps": view.quality.gaps,
    "zero_volume": view.quality.zero_volume,
}
for (name, frame), label in zip(details.items(), summary["check"], strict=True):
    if not frame.empty:
        with st.expander(f"{label}: {len(frame):,}"):
            show_table(frame, name, gap=share_column("Gap"))
with st.expander("What these numbers mean"):
    st.markdown(
        "- **Adjusted**: prices scaled by adj_close / close (dividends, splits); assets "
        "without an adjusted close keep their raw prices. Quality checks use raw prices.\n"
        "- **Daily return**: close / previous bar's close − 1, binned into 60 equal bins.\n"
        "- **Missing sessions**: sessions of the asset's calendar without a bar: `XNYS` is "
        "the New York Stock Exchange's sessions (its holidays and unscheduled closures, such "
        "as 2001-09-11..14 or Hurricane Sandy, are not sessions), `24/7` every day, `24/5` "
        "every weekday (from the `exchange-calendars` package).\n"
        "- **Non-positive prices / high below low**: bars that cannot be right.\n"
        "- **Stale closes**: runs of at least N consecutive bars with the same close.\n"
        "- **Gaps**: bars whose open (close → open) or close (close → close) is more than the "
        "threshold away from the previous close.\n"
        "- **Zero volume**: bars that report a volume of exactly 0 (a missing volume, as FX "
        "quotes have, is not counted).\n"
        "- **Skipped bars**: bars dated outside 1677-09-22 – 2262-04-11 (the dates the "
        "charts can hold) or whose prices are not finite numbers are left out of the charts "
        "and checks; the page says how many."
    )
