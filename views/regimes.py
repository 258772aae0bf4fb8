"""Regimes: a release's regime outputs over the asset's price bars."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.charts.regimes import panels_figure, regime_price_figure, transition_figure
from regime_dashboard.labels import regime_label
from regime_dashboard.services import regimes as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.thinning import LINE_POINTS
from regime_dashboard.ui import format_share, plain, share_column, show_table
from regime_dashboard.ui.alerts import alert_rules_panel
from regime_dashboard.ui.chart_controls import (
    PANEL_GROUPS,
    open_chart_view,
    panel_groups,
    range_and_dates,
    saved_chart,
)
from regime_dashboard.ui.chart_controls import PLOTLY_CONFIG as CONFIG
from regime_dashboard.ui.pickers import pick_release, pick_tenant_asset
from regime_dashboard.ui.watchlist import save_default_view, watchlist_cards, watchlist_star
from regime_dashboard.user_settings import range_start

RELEASE_WIDTH = 84  # px: a version ("v2") picker beside the range buttons on a phone
st.title("Regimes")
viewer = page_viewer("analyst")
choices, asset, row = pick_tenant_asset(
    viewer,
    2,
    watchlist_first=True,
    nothing_yet="No engine releases to show yet. Run `regime-dashboard seed --scale small` "
    "for demo data, or `regime-dashboard import-outputs FILE.csv ...` to load a release.",
)
# release, range and dates in one row that wraps (a phone: release and range side by side,
# so the first chart starts within a screen); the watchlist star is below the chart
box = st.container(horizontal=True, vertical_alignment="bottom")
controls = [box.container(width=RELEASE_WIDTH), box.container(), box.container()]
release = pick_release(
    controls[0], "Release", choices.of_asset(asset), key="release", default=-1, what="release"
)
tenant_id, first, last = release.tenant_id, release.first_date, release.last_date
chart = saved_chart(viewer, tenant_id, asset)
above = st.container()  # the notice, drawn once the view is loaded
dates, preset = None, None
if release.has_outputs:
    span = (range_start(chart.range, first, last), last)
    panels = [PANEL_GROUPS[p] for p in chart.panels if p in PANEL_GROUPS]
    values = {"range": chart.range, "dates": span, "panels": panels}
    open_chart_view((tenant_id, asset), chart, values)
    dates, preset = range_and_dates(controls[1], controls[2], first, last, chart)
with st.spinner("Loading regimes…"):
    page = svc.load_regimes_view(viewer, release.release_id, *(dates or ()))
if page.notice:
    above.warning(page.notice)
if page.series is None:
    st.info(f"Release {plain(release.version)} of {plain(asset)} has no daily outputs yet.")
    st.stop()
view = page.series
if view.regimes.empty:
    st.info("No regime outputs in this date range: widen the range.")
    st.stop()

figure = regime_price_figure(
    *(view.bars, view.regimes, view.spells, view.confidence),
    f"{asset} · {release.asset_name}",
    f"{release.tenant_name} release {release.version}",
)
st.plotly_chart(figure, config=CONFIG)
latest, current = view.regimes.iloc[-1], view.spells.iloc[-1]
headline = st.container(horizontal=True, wrap=True)
for label, value in (
    ("Regime on " + latest["date"].strftime("%Y-%m-%d"), regime_label(latest["regime"])),
    ("Days in this regime", f"{int(current['days']):,}"),
    ("Confidence", format_share(latest["confidence"])),
    ("Conviction", regime_label(latest["conviction"])),
):
    headline.metric(label, value, width=165)
panel_row = st.columns([4, 2, 2], vertical_alignment="bottom")
shown = panel_groups(panel_row[0], chart)
view_now = chart.model_copy(update={"range": preset or chart.range, "panels": shown})
save_default_view(viewer, tenant_id, asset, view_now, panel_row[1])
watchlist_star(viewer, tenant_id, asset, panel_row[2])
fields = {"risk": svc.RISK_FIELDS, "components": svc.COMPONENT_FIELDS}
if shown:
    groups = {PANEL_GROUPS[group]: fields[group] for group in shown}
    st.plotly_chart(panels_figure(view.panels, view.spells, groups), config=CONFIG)
if view.candles_merged or view.line_downsampled:
    st.caption(
        f"Long range: candles are merged into at most {svc.CANDLE_POINTS:,} periods in SQL and "
        f"each line thinned to {LINE_POINTS:,} points (MinMax-LTTB), so the charts stay fast."
    )
watchlist_cards(page.cards, release.tenant_name, st.container())

st.subheader("Regime statistics for the range")
show_table(
    view.summary.set_axis(
        ["Regime", "Days", "Share", "Average spell (days)", "Longest spell (days)"], axis=1
    ),
    "regime_summary",
    Share=share_column(),
    **{"Average spell (days)": st.column_config.NumberColumn(format="%.1f")},
)
st.plotly_chart(transition_figure(view.transitions), config=CONFIG)
st.markdown("**Forward returns by regime** (close-to-close, in trading days)")
forward = view.forward.set_axis(
    ["Regime", "Horizon (days)", "Count", "Mean", "Median", "Hit rate"], axis=1
)
show_table(
    forward,
    "forward_returns",
    Mean=share_column(),
    Median=share_column(),
    **{"Hit rate": share_column()},
)
with st.expander("Alerts on this asset"):
    alert_rules_panel(viewer, tenant_id, asset, offer_reset=False)
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
