"""Backtests: runs, a run's tearsheet beside a benchmark and checked against its stored
metrics, the run split by regime, runs compared from a common date, and paper-trade runs."""

from __future__ import annotations

import streamlit as st

from regime_dashboard.charts import backtests as charts
from regime_dashboard.services import backtests as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.thinning import LINE_POINTS
from regime_dashboard.ui import BIND, csv_download, pick, plain, section
from regime_dashboard.ui.backtests import (
    metrics_table,
    pick_benchmark,
    pick_split_release,
    show_regime_split,
    show_tearsheet,
)
from regime_dashboard.ui.columns import column_config
from regime_dashboard.ui.pickers import pick_run_filters
from regime_dashboard.ui.tables import MISSING

DOLLARS = st.column_config.NumberColumn("Equity ($)", format="dollar")
SECONDS = st.column_config.NumberColumn("Duration (s)", format="%.0f")
SECTIONS = ("Runs", "Tearsheet", "By regime", "Compare", "Paper trading")

st.title("Backtests")
viewer = page_viewer("analyst")
filters, labels = pick_run_filters(
    viewer,
    nothing_yet="No backtest runs yet. Run `regime-dashboard seed --scale small` for demo data.",
)
ids = list(labels)
shown = section("Section", SECTIONS, key="tab")
run_id, compared, benchmark, release, no_release = None, [], None, None, False
if shown in ("Tearsheet", "By regime") and ids:
    row = st.columns([3, 2]) if shown == "Tearsheet" else st.columns([3, 1, 1])
    run_id = pick(row[0], "Run", labels, key="run", what="run")
    assets = svc.run_assets(viewer, run_id)
    if shown == "Tearsheet":
        benchmark = pick_benchmark(row[1], assets)
    else:
        release = pick_split_release(row[1:], assets)
        no_release = release is None
elif shown == "Compare":
    compared = st.multiselect(
        "Runs to compare (up to four)",
        ids,
        default=ids[:2],
        format_func=lambda i: labels.get(i, str(i)),
        max_selections=svc.MAX_COMPARED,
        key="compare",
        bind=BIND,
    )
with st.spinner("Loading runs…"):
    view = svc.load_backtests_view(
        viewer,
        filters,
        run_id=None if no_release else run_id,
        benchmark=benchmark,
        split_release=release.release_id if release else None,
        compared=tuple(compared),
        paper=shown == "Paper trading",
    )

if shown == "Runs":
    st.caption(f"{len(view.runs):,} of {view.total:,} runs")
    runs_config = column_config(view.runs, {**svc.RUN_TABLE, "duration_s": SECONDS})
    st.dataframe(view.runs, hide_index=True, column_config=runs_config, placeholder=MISSING)
    csv_download(view.runs.rename(columns=svc.RUN_TABLE), "backtest_runs")
elif shown in ("Tearsheet", "By regime") and not ids:
    st.info("No finished run with an equity series matches the filters: widen them.")
elif view.tearsheet is not None:
    show_tearsheet(view.tearsheet, labels[str(run_id)])
elif no_release:
    st.info("This run's tenant has no release with outputs: nothing to split by.")
elif view.by_regime is not None:
    show_regime_split(view.by_regime)
elif shown == "Compare":
    if (comparison := view.comparison) is not None:
        metrics_table(comparison.metrics, {labels[i]: labels[i] for i in compared}, "compared")
        start = f"{comparison.start:%Y-%m-%d}" if comparison.start is not None else ""
        st.plotly_chart(charts.growth_figure(comparison.growth, start))
        ended = f" Ended before it: {plain(', '.join(comparison.left_out))}." * bool(
            comparison.left_out
        )
        st.caption(
            f"Every run rebased to 1 on {start}, the latest first date among them (earlier "
            f"points cut); the metrics cover each run's whole series.{ended}"
        )
        if comparison.downsampled:
            st.caption(f"Long runs: each curve thinned to {LINE_POINTS:,} points (MinMax-LTTB).")
    else:
        st.info("Pick up to four runs to compare.")
elif view.paper is not None:
    paper_config = column_config(view.paper, {**svc.PAPER_TABLE, "snapshot_equity": DOLLARS})
    st.dataframe(view.paper, hide_index=True, column_config=paper_config, placeholder=MISSING)
    csv_download(view.paper.rename(columns=svc.PAPER_TABLE), "paper_trade_runs")

with st.expander("What these numbers mean"):
    st.markdown(
        "Computed from the run's stored end-of-day equity, 252 bars a year, no risk-free rate "
        "(QuantStats' definitions): **total return** last / first equity − 1; **CAGR** with "
        "years = returns / 252; **annualised volatility** sample std × √252; **Sharpe** mean / "
        "std × √252; **Sortino** mean / downside deviation × √252; **max drawdown** deepest "
        "fall from a peak; **Calmar** CAGR / |max drawdown|; **win rate** share of non-flat days "
        "that gained; **exposure** share of days with a non-zero return (rounded up to a "
        "percent); **trades** the stored count. A warning marks stored values that differ "
        "from the computed ones by more than 1e-6 relative. **Rolling Sharpe**: over the last "
        "63 trading days. **Duration**: completed − started. **Paper trading**: each run's "
        "latest performance snapshot. **Benchmark**: buy and hold of the asset (one trade), "
        "valued at its last close on or before each of the run's dates. **Worst drawdowns**: "
        "start is the first day below the peak, end the last (the day before recovery), days "
        "calendar days, as QuantStats' drawdown_details. **By regime**: see its note."
    )
