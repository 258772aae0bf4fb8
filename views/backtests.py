"""Backtests: runs, a run's tearsheet checked against its stored metrics, runs compared side
by side, and paper-trade runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regime_dashboard.charts import backtests as charts
from regime_dashboard.services import backtests as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.thinning import LINE_POINTS
from regime_dashboard.ui import BIND, csv_download, pick, section
from regime_dashboard.ui.pickers import pick_run_filters

DOLLARS = st.column_config.NumberColumn("Equity ($)", format="dollar")
SECONDS = st.column_config.NumberColumn("Duration (s)", format="%.0f")
AGREES = st.column_config.CheckboxColumn("Agrees")


SECTIONS = ("Runs", "Tearsheet", "Compare", "Paper trading")


def _metrics(table: pd.DataFrame, columns: list[str], name: str) -> None:
    st.dataframe(
        charts.metrics_styler(table, columns),
        hide_index=True,
        column_order=["label", *columns],
        column_config={"label": "Metric", "agrees": AGREES},
    )
    csv_download(table, name)


def _tearsheet(sheet: svc.Tearsheet, title: str) -> None:
    for row in sheet.disagreements.itertuples():
        st.warning(
            f"Stored {row.label} ({row.stored:.4g}) disagrees with the value computed from "
            f"the equity series ({row.computed:.4g}).",
            icon="⚠️",
        )
    _metrics(sheet.metrics, ["computed", "stored", "agrees"], "tearsheet_metrics")
    st.plotly_chart(charts.equity_figure(sheet.equity, sheet.drawdown, title))
    st.plotly_chart(charts.monthly_heatmap(sheet.monthly))
    st.plotly_chart(charts.rolling_sharpe_figure(sheet.rolling_sharpe, svc.ROLLING_WINDOW))
    if sheet.downsampled:
        st.caption(
            f"{sheet.points:,} equity points: lines thinned to {LINE_POINTS:,} points "
            "(MinMax-LTTB) for the charts; the metrics use every point."
        )


st.title("Backtests")
viewer = page_viewer("analyst")
filters, labels = pick_run_filters(
    viewer,
    nothing_yet="No backtest runs yet. Run `regime-dashboard seed --scale small` for demo data.",
)
ids = list(labels)
shown = section("Section", SECTIONS, key="tab")
run_id, compared = None, []
if shown == "Tearsheet" and ids:
    run_id = pick(st, "Run", labels, key="run", what="run")
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
        viewer, filters, run_id=run_id, compared=tuple(compared), paper=shown == "Paper trading"
    )

if shown == "Runs":
    st.caption(f"{len(view.runs):,} of {view.total:,} runs")
    st.dataframe(view.runs, hide_index=True, column_config={**svc.RUN_TABLE, "duration_s": SECONDS})
    csv_download(view.runs.rename(columns=svc.RUN_TABLE), "backtest_runs")
elif shown == "Tearsheet":
    if view.tearsheet is None:
        st.info("No finished run with an equity series matches the filters: widen them.")
    else:
        _tearsheet(view.tearsheet, labels[str(run_id)])
elif shown == "Compare":
    if view.comparison is not None:
        _metrics(view.comparison.metrics, [labels[i] for i in compared], "compared_runs")
        st.plotly_chart(charts.growth_figure(view.comparison.growth))
        if view.comparison.downsampled:
            st.caption(f"Long runs: each curve thinned to {LINE_POINTS:,} points (MinMax-LTTB).")
    else:
        st.info("Pick up to four runs to compare.")
elif view.paper is not None:
    st.dataframe(
        view.paper, hide_index=True, column_config={**svc.PAPER_TABLE, "snapshot_equity": DOLLARS}
    )
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
        "latest performance snapshot."
    )
