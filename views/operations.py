"""Run operations: runs per day by kind and status, the failure rate, queue and run time
percentiles, and the most frequent errors."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.ops import runs_figure, timings_figure
from regime_dashboard.services.operations import TOP_ERRORS, load_operations_view
from regime_dashboard.ui.periods import leadership_view, stop_when_empty

period, view = leadership_view(
    "Run operations", "No runs yet", load_operations_view, spinner="Aggregating runs…", default="3m"
)
stop_when_empty(view.daily, "No runs were queued in this period: choose a longer period.")

total = view.timings.iloc[-1]
st.caption(f"{period.label} · runs by the day they were queued (UTC)")
cols = st.columns(4)
cols[0].metric("Runs", f"{int(total['runs']):,}")
cols[1].metric("Failure rate", ui.format_share(total["failure_rate"]))
for col, name in ((cols[2], "queue"), (cols[3], "run")):
    p50, p95 = ui.format_seconds(total[f"{name}_p50_s"]), ui.format_seconds(total[f"{name}_p95_s"])
    col.metric(f"{name.title()} time p50 / p95", f"{p50} / {p95}")

st.plotly_chart(runs_figure(view.by_kind, view.by_status, view.daily))
st.plotly_chart(timings_figure(view.timings))
seconds = st.column_config.NumberColumn(format="%.1f s")
ui.table_with_download(
    view.timings,
    "run_timings.csv",
    {
        "kind": "Kind",
        "failure_rate": ui.share_column("Failure rate"),
        **{c: seconds for c in ("queue_p50_s", "queue_p95_s", "run_p50_s", "run_p95_s")},
    },
)

st.subheader(f"Most frequent errors (top {TOP_ERRORS})")
if view.errors.empty:
    st.success("No failed runs in this period.")
else:
    ui.table_with_download(
        view.errors,
        "frequent_errors.csv",
        {"error": st.column_config.TextColumn("Error", width="large"), "last_seen": "Last seen"},
    )

with st.expander("What these numbers mean"):
    st.markdown(
        "- **Runs**: jobs of every kind (backtests, paper trading, engine releases, "
        "agents, training, imports), counted on the UTC day they were queued.\n"
        "- **Failure rate** = failed ÷ finished runs (succeeded, failed or canceled); runs "
        "still queued or processing are not counted.\n"
        "- **Queue time** = started − queued; **run time** = finished − started, in "
        "seconds. **p50 / p95**: the median and 95th percentile, interpolated linearly "
        "between runs (PostgreSQL `percentile_cont`).\n"
        "- **Most frequent errors**: failed runs grouped by their error message."
    )
