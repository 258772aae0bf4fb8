"""The Backtests page's tearsheet pieces: the benchmark and regime-release pickers (kept in
the URL, options from services/backtests.run_assets) and the drawing of a tearsheet and of
a run split by regime. Figures come from charts/backtests.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..charts import backtests as charts
from ..metrics.regime_split import ALL_DAYS
from ..services import backtests as svc
from ..services.release_choices import ReleaseSpan
from ..thinning import LINE_POINTS
from .columns import with_value_labels
from .params import pick
from .pickers import pick_release
from .tables import csv_download, format_share
from .text import plain

__all__ = [
    "metrics_table",
    "pick_benchmark",
    "pick_split_release",
    "show_regime_split",
    "show_tearsheet",
]

AGREES = st.column_config.CheckboxColumn("Agrees")
_DRAWDOWN_HEADINGS = {
    "start": st.column_config.DateColumn("Start"),
    "valley": st.column_config.DateColumn("Valley"),
    "end": st.column_config.DateColumn("End"),
    "recovered": st.column_config.CheckboxColumn("Recovered"),
    "days": st.column_config.NumberColumn("Days", format="%d"),
    "depth": "Depth",
}
_SPLIT_HEADINGS = {
    "regime": "Regime",
    "days": st.column_config.NumberColumn("Days", format="%d"),
    "share_of_time": "Share of time",
    "total_return": "Return",
    "annualised_return": "Annualised return",
    "sharpe": "Sharpe",
    "hit_rate": "Hit rate",
    "max_drawdown": "Max drawdown",
}


def _styled_table(frame: pd.DataFrame, name: str, headings: dict, percents: list[str]) -> None:
    """A table whose `percents` columns read 12.3 % like every table (two decimals
    elsewhere), and its CSV (raw values)."""
    styler = with_value_labels(frame).style.format(format_share, subset=percents, na_rep="—")
    styler = styler.format("{:.2f}", subset=["sharpe"] if "sharpe" in frame else [], na_rep="—")
    st.dataframe(styler, hide_index=True, column_config=headings)
    csv_download(frame, name)


def _first_of(options: dict[str, str], preferred: list[str]) -> int:
    """The index in `options` of the first of `preferred` offered there (else 0)."""
    keys = list(options)
    return next((keys.index(p) for p in preferred if p in options), 0)


def pick_benchmark(where: st.delta_generator.DeltaGenerator, assets: svc.RunAssets) -> str:
    """The benchmark asset (URL `benchmark`): the run's own asset by default, else the
    first asset its tenant has releases for (the analyst chooses among priced assets)."""
    preferred = [assets.traded] if assets.traded else list(assets.releases.assets)
    return pick(
        where,
        "Benchmark: buy and hold of",
        assets.priced,
        key="benchmark",
        default=_first_of(assets.priced, preferred),
        what="asset",
    )


def pick_split_release(row: list, assets: svc.RunAssets) -> ReleaseSpan | None:
    """Asset (URL `asset`, the run's own by default) and release (URL `release`, the
    latest by default) among the run's tenant's releases with outputs; None without any."""
    releases = assets.releases
    with_outputs = [a for a in releases.assets if releases.of_asset(a, with_outputs=True)]
    if not with_outputs:
        return None
    names = {a: assets.priced.get(a, a) for a in with_outputs}
    default = _first_of(names, [assets.traded] if assets.traded else [])
    asset = pick(row[0], "Regimes of", names, key="asset", default=default, what="asset")
    spans = releases.of_asset(asset, with_outputs=True)
    return pick_release(row[1], "Release", spans, key="release", default=-1)


def metrics_table(table: pd.DataFrame, columns: dict[str, str], name: str) -> None:
    """A metrics table ({column: heading} shown after the label) and its CSV."""
    st.dataframe(
        charts.metrics_styler(table, list(columns)),
        hide_index=True,
        column_order=["label", *columns],
        column_config={"label": "Metric", **columns, "agrees": AGREES},
    )
    csv_download(table, name)


def show_tearsheet(sheet: svc.Tearsheet, title: str) -> None:
    """The tearsheet: stale stored metrics, the metrics beside the benchmark's, cumulative
    returns over the underwater chart, yearly returns, the worst drawdowns, the return
    distribution, monthly returns and rolling Sharpe."""
    for row in sheet.disagreements.itertuples():
        st.warning(
            f"Stored {row.label} ({row.stored:.4g}) disagrees with the value computed from "
            f"the equity series ({row.computed:.4g}).",
            icon=":material/warning:",
        )
    benchmark = {"benchmark": sheet.benchmark} if sheet.benchmark else {}
    columns = {"computed": "Strategy", **benchmark, "stored": "Stored", "agrees": "Agrees"}
    metrics_table(sheet.metrics, columns, "tearsheet_metrics")
    st.plotly_chart(charts.cumulative_figure(sheet.growth, sheet.drawdown, title))
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.yearly_figure(sheet.yearly, sheet.benchmark))
    with right:
        st.plotly_chart(charts.distribution_figure(sheet.distribution))
    st.subheader("Worst drawdowns")
    _styled_table(sheet.drawdowns, "worst_drawdowns", _DRAWDOWN_HEADINGS, ["depth"])
    st.plotly_chart(charts.monthly_heatmap(sheet.monthly))
    st.plotly_chart(charts.rolling_sharpe_figure(sheet.rolling_sharpe, svc.ROLLING_WINDOW))
    if sheet.downsampled:
        st.caption(
            f"{sheet.points:,} equity points: lines thinned to {LINE_POINTS:,} points "
            "(MinMax-LTTB) for the charts; the metrics use every point."
        )


def show_regime_split(split: svc.RegimeSplit) -> None:
    """Each metric per regime of the release, its bar chart, and how days are counted."""
    if split.table.empty:
        st.info(f"{plain(split.release)} has no outputs over this run's dates.")
        return
    st.caption(
        f"Regimes of {split.release}. A day's return (previous close to close) counts in "
        "the regime of the latest output dated before that day — the regime known at the "
        "previous close — never in that day's own output, which would look ahead."
    )
    if split.unattributed:
        st.caption(
            f"{split.unattributed:,} returns before the release's first output "
            f"({split.first_output:%Y-%m-%d}) belong to no regime and are left out."
        )
    percents = list(charts.SPLIT_PERCENTS)
    _styled_table(split.table, "returns_by_regime", _SPLIT_HEADINGS, percents)
    regimes = split.table[split.table["regime"] != ALL_DAYS]
    st.plotly_chart(charts.regime_split_figure(regimes))
