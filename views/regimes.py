"""Regimes: a release's regime outputs over the asset's price bars."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regime_dashboard.charts.regimes import panels_figure, regime_price_figure, transition_figure
from regime_dashboard.labels import regime_label
from regime_dashboard.services import regimes as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.thinning import LINE_POINTS
from regime_dashboard.ui import plain, range_picker, share_column, show_table
from regime_dashboard.ui.pickers import pick_release, pick_tenant_asset


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
choices, asset, row = pick_tenant_asset(
    viewer,
    3,
    watchlist_first=True,
    nothing_yet="No engine releases to show yet. Run `regime-dashboard seed --scale small` "
    "for demo data, or `regime-dashboard import-outputs FILE.csv ...` to load a release.",
)
release = pick_release(
    row[2], "Release", choices.of_asset(asset), key="release", default=-1, what="release"
)
above = st.container()  # the watchlist and the notice, drawn once the view is loaded
dates = range_picker(st, release.first_date, release.last_date) if release.has_outputs else None
with st.spinner("Loading regimes…"):
    page = svc.load_regimes_view(viewer, release.release_id, *(dates or ()))
with above:
    if not page.cards.empty:
        st.subheader(f"Your watchlist · {plain(release.tenant_name)}")
        _cards(page.cards)
    if page.notice:
        st.warning(page.notice)
if page.series is None:
    st.info(f"Release {plain(release.version)} of {plain(asset)} has no daily outputs yet.")
    st.stop()
view = page.series
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

title = f"{asset} · {release.asset_name} · {release.tenant_name} release {release.version}"
st.plotly_chart(regime_price_figure(view.bars, view.regimes, view.spells, view.confidence, title))
st.plotly_chart(panels_figure(view.panels, view.spells, svc.RISK_FIELDS, "Risk"))
st.plotly_chart(panels_figure(view.panels, view.spells, svc.COMPONENT_FIELDS, "Components"))
if view.candles_merged or view.line_downsampled:
    st.caption(
        f"Long range: candles are merged into at most {svc.CANDLE_POINTS:,} periods in SQL and "
        f"each line thinned to {LINE_POINTS:,} points (MinMax-LTTB), so the charts stay fast."
    )

st.subheader("Regime statistics for the range")
show_table(
    view.summary.set_axis(
        ["Regime", "Days", "Share", "Average spell (days)", "Longest spell (days)"], axis=1
    ),
    "regime_summary",
    Share=share_column(),
    **{"Average spell (days)": st.column_config.NumberColumn(format="%.1f")},
)
st.plotly_chart(transition_figure(view.transitions))
matrix = view.transitions.rename_axis(index="From", columns=None).reset_index()
show_table(matrix, "transition_matrix", **dict.fromkeys(view.transitions.columns, share_column()))
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
