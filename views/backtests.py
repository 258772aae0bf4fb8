"""Backtests: runs, a run's tearsheet checked against its stored metrics, runs compared side
by side, and paper-trade runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from regime_dashboard.charts import backtests as charts
from regime_dashboard.scope import TenantScope
from regime_dashboard.services import backtests as svc
from regime_dashboard.session import page_viewer
from regime_dashboard.ui import BIND, csv_download, pick, section

DOLLARS = st.column_config.NumberColumn("Equity ($)", format="dollar")
SECONDS = st.column_config.NumberColumn("Duration (s)", format="%.0f")
AGREES = st.column_config.CheckboxColumn("Agrees")


SECTIONS = ("Runs", "Tearsheet", "Compare", "Paper trading")


def _multi(column: st.delta_generator.DeltaGenerator, label: str, key: str, options: list) -> list:
    return column.multiselect(label, options, placeholder="All", key=key, bind=BIND)


def _metrics(table: pd.DataFrame, columns: list[str], name: str) -> None:
    st.dataframe(
        charts.metrics_styler(table, columns),
        hide_index=True,
        column_order=["label", *columns],
        column_config={"label": "Metric", "agrees": AGREES},
    )
    csv_download(table, name)


def _tearsheet(scope: TenantScope, run: pd.Series, title: str) -> None:
    with st.spinner("Building the tearsheet…"):
        sheet = svc.load_tearsheet(
            scope, tenant_id=str(run["tenant_id"]), run_id=str(run["run_id"]), stored=run["metrics"]
        )
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
            f"{sheet.points:,} equity points: lines thinned to {svc.LINE_POINTS:,} points "
            "(MinMax-LTTB) for the charts; the metrics use every point."
        )


st.title("Backtests")
viewer = page_viewer("analyst")
everything = svc.list_runs(viewer.scope)
if everything.empty:
    st.info("No backtest runs yet. Run `regime-dashboard seed --scale small` for demo data.")
    st.stop()
cols = st.columns(3)
tenants = _multi(cols[0], "Tenant", "tenant", sorted(everything["tenant_name"].unique()))
strategies = _multi(cols[1], "Strategy", "strategy", sorted(everything["strategy"].unique()))
statuses = _multi(cols[2], "Status", "status", sorted(everything["status"].unique()))
filtered = bool(tenants or strategies or statuses)
runs = (
    svc.list_runs(
        viewer.scope, tenants=tuple(tenants), statuses=tuple(statuses), strategies=tuple(strategies)
    )
    if filtered
    else everything
)
with_equity = runs[runs["equity_days"] > 0]
labels = dict(zip(with_equity.index, with_equity["label"], strict=True))
ids = list(labels)
shown = section("Section", SECTIONS, key="tab")

if shown == "Runs":
    st.caption(f"{len(runs):,} of {len(everything):,} runs")
    table = runs[list(svc.RUN_TABLE)]
    st.dataframe(table, hide_index=True, column_config={**svc.RUN_TABLE, "duration_s": SECONDS})
    csv_download(table.rename(columns=svc.RUN_TABLE), "backtest_runs")

elif shown == "Tearsheet":
    if not ids:
        st.info("No finished run with an equity series matches the filters: widen them.")
    else:
        run_id = pick(st, "Run", labels, key="run", what="run")
        _tearsheet(viewer.scope, with_equity.loc[run_id], labels[run_id])

elif shown == "Compare":
    picked = st.multiselect(
        "Runs to compare (up to four)",
        ids,
        default=ids[:2],
        format_func=lambda i: labels.get(i, str(i)),
        max_selections=svc.MAX_COMPARED,
        key="compare",
        bind=BIND,
    )
    if picked:
        comparison = svc.compare_runs(viewer.scope, runs=svc.compared_runs(with_equity.loc[picked]))
        _metrics(comparison.metrics, [labels[i] for i in picked], "compared_runs")
        st.plotly_chart(charts.growth_figure(comparison.growth))
        if comparison.downsampled:
            st.caption(
                f"Long runs: each curve thinned to {svc.LINE_POINTS:,} points (MinMax-LTTB)."
            )
    else:
        st.info("Pick up to four runs to compare.")

else:
    paper = svc.paper_runs(viewer.scope)
    paper = paper[paper["tenant_name"].isin(tenants)] if tenants else paper
    table = paper[list(svc.PAPER_TABLE)]
    st.dataframe(
        table, hide_index=True, column_config={**svc.PAPER_TABLE, "snapshot_equity": DOLLARS}
    )
    csv_download(table.rename(columns=svc.PAPER_TABLE), "paper_trade_runs")

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
