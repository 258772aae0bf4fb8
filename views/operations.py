"""Run operations: runs per day by kind and status, the failure rate, queue and run time
percentiles, and the most frequent errors."""

from __future__ import annotations

import streamlit as st

from regime_dashboard import ui
from regime_dashboard.charts.ops import runs_figure, timings_figure
from regime_dashboard.services.operations import TOP_ERRORS, load_operations_view
from regime_dashboard.ui import leadership as tables
from regime_dashboard.ui.cards import card_row, kpi
from regime_dashboard.ui.periods import leadership_view, stop_when_empty

period, view = leadership_view(
    "Run operations", "No runs yet", load_operations_view, spinner="Aggregating runs…", default="3m"
)
stop_when_empty(view.daily, "No runs were queued in this period: choose a longer period.")

total, then, before = view.timings.iloc[-1], view.previous_totals, view.previous_period
since = f"{before.first_month:%b %Y} – {before.as_of:%d %b %Y}"
st.caption(f"{period.label} · runs by the day they were queued (UTC) · changes against {since}")
cols = card_row(4)
kpi(cols[0], "Runs", int(total["runs"]), "count", previous=then.get("runs"), since=since,
    series=view.daily["runs"])  # fmt: skip
kpi(cols[1], "Failure rate", total["failure_rate"], "share", previous=then.get("failure_rate"),
    since=since, series=view.daily["failure_rate"], lower_is_better=True)  # fmt: skip
for col, name in ((cols[2], "queue"), (cols[3], "run")):
    p50, p95 = ui.format_seconds(total[f"{name}_p50_s"]), ui.format_seconds(total[f"{name}_p95_s"])
    kpi(col, f"{name.title()} time p50", total[f"{name}_p50_s"], "seconds",
        previous=then.get(f"{name}_p50_s"), since=since, lower_is_better=True,
        help=f"p95: {ui.format_seconds(total[f'{name}_p95_s'])}.")  # fmt: skip

st.plotly_chart(runs_figure(view.by_kind, view.by_status, view.daily))
st.plotly_chart(timings_figure(view.timings))
tables.show(view.timings, "run_timings.csv", list(view.timings.columns),
            shares={"failure_rate": "Failure rate"}, failed="Failed runs")  # fmt: skip

st.subheader(f"Most frequent errors (top {TOP_ERRORS})")
if view.errors.empty:
    st.success("No failed runs in this period.")
else:
    tables.show(view.errors, "frequent_errors.csv", list(view.errors.columns))

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
